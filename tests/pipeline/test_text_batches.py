"""Text batches tell Keras how many there are (no `1/Unknown`, no "ran out of data")."""

import types

import numpy as np
import tensorflow as tf

from seqkeras.pipeline.tasks.text_batches import batch_count
from seqkeras.pipeline.tasks.text_batches import length_batches


def config(num_buckets):
    data = types.SimpleNamespace(num_buckets=num_buckets, batch_size=4)
    return types.SimpleNamespace(data=data, seed=0)


def sequences(count=37):
    rng = np.random.default_rng(0)
    ids = [list(rng.integers(1, 9, size=rng.integers(1, 12))) for _ in range(count)]
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(ids), output_signature=tf.TensorSpec([None], tf.int32)
    )
    return dataset, [len(i) for i in ids]


def test_bucketed_batches_have_the_cardinality_they_yield_epoch_after_epoch():
    dataset, lengths = sequences()
    batches = length_batches(dataset, lengths, config(3), shuffle=True)
    counted = [sum(1 for _ in batches) for _ in range(3)]
    assert int(batches.cardinality()) == counted[0] == counted[1] == counted[2] > 37 // 4
    examples = sum(int(batch.shape[0]) for batch in batches)
    assert examples == 37


def test_batches_in_order_have_the_cardinality_of_padded_batches():
    dataset, lengths = sequences()
    batches = length_batches(dataset, lengths, config(1), shuffle=False, keep_order=True)
    assert int(batches.cardinality()) == 10 == sum(1 for _ in batches)


def test_the_count_from_the_lengths_is_what_teacher_forced_pairs_yield():
    # As seq2seq batches them: the buckets are cut by the source (the element's
    # first sequence after the map), and the count is taken from its lengths.
    from seqkeras.data import teacher_forcing_pairs

    rng = np.random.default_rng(1)
    for trial in range(12):
        count = int(rng.integers(1, 90))
        sources = [list(rng.integers(4, 9, size=rng.integers(1, 30))) for _ in range(count)]
        targets = [list(rng.integers(4, 9, size=rng.integers(1, 6))) for _ in range(count)]
        dataset = tf.data.Dataset.from_generator(
            lambda s=sources, t=targets: zip(s, t),
            output_signature=(tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.int32)),
        )
        settings = config(int(rng.integers(2, 6)))
        settings.data.batch_size = int(rng.integers(1, 9))
        batches = length_batches(
            dataset,
            [len(s) for s in sources],
            settings,
            map_fn=teacher_forcing_pairs,
            shuffle=bool(trial % 2),
        )
        assert int(batches.cardinality()) == sum(1 for _ in batches), trial


def test_batch_count_follows_the_bucket_rule():
    # Boundaries [3, 6]: lengths 1-2, 3-5 and 6+ are the three buckets.
    assert batch_count([1, 2, 3, 5, 6, 9, 9], [3, 6], 2) == 1 + 1 + 2
    assert batch_count([3, 3, 3], [3, 6], 2) == 2
    assert batch_count([2, 3], [3], 2) == 2  # 3 starts the second bucket
    assert batch_count([4] * 9, None, 4) == 3
    assert batch_count([], [3], 4) == 0
