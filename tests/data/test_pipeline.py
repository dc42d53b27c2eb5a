"""Pipeline stages: per-batch padding, bucketing, seeded shuffle, cache, limits."""

import logging
import re

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.data import pipeline


def ragged(seed=0, count=200, low=1, high=30):
    rng = np.random.default_rng(seed)
    return [list(rng.integers(4, 50, size=rng.integers(low, high))) for _ in range(count)]


def test_sequence_dataset_structures():
    seqs = [[5, 6, 7], [8], [9, 10]]
    single = pipeline.sequence_dataset(seqs)
    assert single.element_spec == tf.TensorSpec([None], tf.int32)
    assert [x.tolist() for x in single.as_numpy_iterator()] == seqs
    paired = pipeline.sequence_dataset(seqs, np.array([0, 1, 0]))
    ((x, y),) = paired.take(1).as_numpy_iterator()
    assert x.tolist() == [5, 6, 7] and y == 0
    named = pipeline.sequence_dataset({"source": seqs, "target": [[1], [2, 3], [4]]})
    assert [e["target"].tolist() for e in named.as_numpy_iterator()] == [[1], [2, 3], [4]]


def test_pads_to_the_batch_longest_not_a_global_maximum():
    seqs = [[5, 6], [7], [8, 9, 10, 11, 12, 13], [14]]
    batches = list(
        pipeline.batch_sequences(
            pipeline.sequence_dataset(seqs), 2, shuffle=False
        ).as_numpy_iterator()
    )
    assert batches[0].tolist() == [[5, 6], [7, 0]]
    assert batches[1].shape == (2, 6)


def test_padding_values_follow_dtypes():
    dataset = tf.data.Dataset.from_tensor_slices(
        {"ids": tf.ragged.constant([[5, 6], [7]]), "score": [0.5, 1.5]}
    ).map(lambda e: {"ids": tf.identity(e["ids"]), "score": e["score"]})
    batch = next(iter(pipeline.batch_sequences(dataset, 2, shuffle=False, pad_value=1)))
    assert batch["ids"].numpy().tolist() == [[5, 6], [7, 1]]
    assert batch["score"].numpy().tolist() == [0.5, 1.5]


def test_bucketing_reduces_padding_and_keeps_every_example():
    seqs = ragged(count=600)
    dataset = pipeline.sequence_dataset(seqs)
    plain = pipeline.batch_sequences(dataset, 32, seed=1)
    boundaries = pipeline.bucket_boundaries_for([len(s) for s in seqs], num_buckets=10)
    bucketed = pipeline.batch_sequences(dataset, 32, seed=1, bucket_boundaries=boundaries)
    plain_share, bucket_share = pipeline.pad_share(plain), pipeline.pad_share(bucketed)
    print(f"pad share: {plain_share:.3f} without buckets, {bucket_share:.3f} with")
    assert bucket_share < plain_share / 2
    rows = sorted(tuple(r[r != 0]) for b in bucketed.as_numpy_iterator() for r in b)
    assert rows == sorted(tuple(s) for s in seqs)


def test_shuffle_seed_is_deterministic():
    dataset = pipeline.sequence_dataset(ragged(count=100))

    def first_batches(seed):
        batches = pipeline.batch_sequences(dataset, 10, seed=seed)
        return [b.tolist() for b in batches.take(3).as_numpy_iterator()]

    assert first_batches(7) == first_batches(7)
    assert first_batches(7) != first_batches(8)
    in_order = pipeline.batch_sequences(dataset, 10, shuffle=False)
    assert next(in_order.as_numpy_iterator())[0].tolist()[:3] == ragged(count=100)[0][:3]


def test_map_fn_and_cache_run_once(tmp_path):
    calls = []

    def count(x):
        tf.py_function(lambda: calls.append(1) or 0, [], tf.int32)
        return x * 2

    dataset = pipeline.sequence_dataset([[1, 2], [3]])
    batches = pipeline.batch_sequences(dataset, 2, map_fn=count, cache=True, shuffle=False)
    for _ in range(3):
        assert next(iter(batches)).numpy().tolist() == [[2, 4], [6, 0]]
    assert len(calls) == 2  # mapped once per example, then served from the cache
    file_cached = pipeline.batch_sequences(dataset, 2, cache=str(tmp_path / "c"), shuffle=False)
    list(file_cached)
    assert any(p.name.startswith("c") for p in tmp_path.iterdir())


def test_limit_lengths_in_graph_counts(caplog):
    pairs = pipeline.sequence_dataset(
        [[1, 2, 3, 4], [5], [6, 7, 8]], [[1, 2], [3, 4, 5, 6, 7], [8]]
    )
    with caplog.at_level(logging.WARNING, logger="seqkeras.data"):
        truncated, report = pipeline.limit_lengths_in_graph(pairs, 3, name="pairs")
    assert (report.total, report.truncated, report.dropped, report.longest) == (3, 2, 0, 5)
    assert "pairs: 2 of 3 truncated at max_length=3 (longest was 5)" in caplog.text
    assert [(x.tolist(), y.tolist()) for x, y in truncated.as_numpy_iterator()] == [
        ([1, 2, 3], [1, 2]),
        ([5], [3, 4, 5]),
        ([6, 7, 8], [8]),
    ]
    dropped, report = pipeline.limit_lengths_in_graph(pairs, 3, on_long="drop")
    assert report.dropped == 2 and [x.tolist() for x, _ in dropped.as_numpy_iterator()] == [
        [6, 7, 8]
    ]


def test_map_batched_matches_a_per_element_map():
    from seqkeras.data import Vocabulary

    texts = ["abc", "", "ca", "bbbb", "a"] * 3
    vocab = Vocabulary.build(texts, split="char")
    strings = tf.data.Dataset.from_tensor_slices(texts)
    per_element = strings.map(lambda s: (vocab.encode_in_graph(s), tf.strings.length(s)))
    batched = pipeline.map_batched(
        strings, lambda s: (vocab.encode_in_graph(s), tf.strings.length(s)), batch_size=4
    )
    assert batched.element_spec[0] == tf.TensorSpec([None], tf.int32)
    expected = [(x.tolist(), int(n)) for x, n in per_element.as_numpy_iterator()]
    assert [(x.tolist(), int(n)) for x, n in batched.as_numpy_iterator()] == expected


def test_invalid_arguments():
    dataset = pipeline.sequence_dataset([[1]])
    with pytest.raises(ValueError, match="`batch_size`: expected a positive integer, got 0"):
        pipeline.batch_sequences(dataset, 0)
    with pytest.raises(
        ValueError,
        match=re.escape("`bucket_boundaries`: expected increasing positive integers, got [5, 3]"),
    ):
        pipeline.batch_sequences(dataset, 2, bucket_boundaries=[5, 3])
    with pytest.raises(
        ValueError, match="`on_long`: expected one of 'truncate', 'drop', got 'error'"
    ):
        pipeline.limit_lengths_in_graph(dataset, 2, on_long="error")
