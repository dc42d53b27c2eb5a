"""Vocabulary: round trips, <unk>, save/load, and in-graph agreement (item 2)."""

import re

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.data.tokenizers import tokenize
from seqkeras.data.tokenizers import tokenize_in_graph
from seqkeras.errors import DataError

CORPUS = [
    "Hello, world! It's 21 novembre 2026.",
    "Samstag,\t21. November\u00a02026 — (ISO: 2026-11-21)",
    "naïve café ☕ costs $3.50;  really?\n  yes…",
    "back\\slash and new\nline",
    "",
]
PHONEMES = ["HH", "AH0", "L", "OW1", "W", "ER1", "D"]


def test_tokenize_splits():
    assert tokenize("Hi, you!", "word") == ["Hi", ",", "you", "!"]
    assert tokenize("HH  AH0\tL", "whitespace") == ["HH", "AH0", "L"]
    assert tokenize("a b", "char") == ["a", " ", "b"]
    assert tokenize("naïve\u00a0café", "word") == ["naïve", "café"]


@pytest.mark.parametrize("split", ["char", "word", "whitespace"])
def test_in_graph_tokenize_agrees_with_python(split):
    graph = tokenize_in_graph(tf.constant(CORPUS), split).to_list()
    for text, tokens in zip(CORPUS, graph):
        assert [t.decode("utf-8") for t in tokens] == tokenize(text, split)


def test_reserved_ids_and_build_order():
    vocab = Vocabulary.build(["abca", "cab", "a"], split="char")
    assert vocab.tokens[:4] == ["<pad>", "<unk>", "<start>", "<end>"]
    assert (vocab.pad_id, vocab.unk_id, vocab.start_id, vocab.end_id) == (0, 1, 2, 3)
    assert vocab.tokens[4:] == ["a", "b", "c"]  # by frequency, then alphabetically


def test_min_frequency_and_max_size():
    texts = ["a a a b b c"]
    assert Vocabulary.build(texts, "word", min_frequency=2).tokens[4:] == ["a", "b"]
    assert Vocabulary.build(texts, "word", max_size=5).tokens[4:] == ["a"]
    with pytest.raises(
        ValueError, match=re.escape("`max_size`: expected an integer above 4, got 4")
    ):
        Vocabulary.build(texts, "word", max_size=4)
    with pytest.raises(ValueError, match="`min_frequency`: expected a positive integer, got 0"):
        Vocabulary.build(texts, "word", min_frequency=0)


@pytest.mark.parametrize("split", ["char", "word"])
def test_round_trip_and_unknown(split):
    vocab = Vocabulary.build(CORPUS, split=split)
    for text in CORPUS:
        ids = vocab.encode(text, add_start=True, add_end=True)
        assert ids[0] == vocab.start_id and ids[-1] == vocab.end_id
        assert 1 not in ids
        expected = text if split == "char" else " ".join(tokenize(text, "word"))
        assert vocab.decode(ids + [0, 0]) == expected
    ids = vocab.encode("Hello ✗ zebra" if split == "word" else "Hé✗")
    assert ids.count(vocab.unk_id) == (2 if split == "word" else 1)
    assert "<unk>" in vocab.decode(ids)


def test_fixed_token_list_round_trip():
    vocab = Vocabulary(PHONEMES, split="whitespace")
    assert vocab.size == 4 + len(PHONEMES)
    assert vocab.encode("HH AH0 L OW1") == [4, 5, 6, 7]
    assert vocab.decode([2, 4, 5, 6, 7, 3, 9]) == "HH AH0 L OW1"
    assert vocab.encode("HH XX") == [4, 1]


def test_save_load_encodes_identically(tmp_path):
    for split in ["char", "word"]:
        vocab = Vocabulary.build(CORPUS, split=split)
        path = tmp_path / f"{split}.txt"
        vocab.save(path)
        again = Vocabulary.load(path)
        assert again.split == split and again.tokens == vocab.tokens
        probe = CORPUS + ["unseen ✗ text"]
        assert again.encode_batch(probe) == vocab.encode_batch(probe)
    text = (tmp_path / "char.txt").read_text(encoding="utf-8").split("\n")
    assert text[:5] == ["#seqkeras-vocabulary split=char", "<pad>", "<unk>", "<start>", "<end>"]
    assert "\\n" in text and "\\\\" in text  # newline and backslash escaped


def test_load_plain_token_list(tmp_path):
    path = tmp_path / "phones.txt"
    path.write_text("\n".join(PHONEMES) + "\n", encoding="utf-8")
    vocab = Vocabulary.load(path)
    assert vocab.split == "whitespace" and vocab.tokens[4:] == PHONEMES


def test_load_errors_name_the_line(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("HH\nAH0\nHH\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(f"{path}, line 3: token 'HH' repeats.")):
        Vocabulary.load(path)
    path.write_text("#seqkeras-vocabulary split=word\n<pad>\nab cd\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(f"{path}, line 3: got token 'ab cd'; expected")):
        Vocabulary.load(path)
    with pytest.raises(DataError, match="no such file"):
        Vocabulary.load(tmp_path / "missing.txt")


def test_invalid_constructor_arguments():
    with pytest.raises(
        ValueError, match="`split`: expected one of 'char', 'word', 'whitespace', got 'bpe'"
    ):
        Vocabulary(["a"], split="bpe")
    with pytest.raises(
        ValueError, match=re.escape("`tokens`: expected distinct tokens, got ['a']")
    ):
        Vocabulary(["a", "b", "a"])
    with pytest.raises(ValueError, match="single characters"):
        Vocabulary(["ab"], split="char")


@pytest.mark.parametrize("split", ["char", "word", "whitespace"])
def test_in_graph_lookup_agrees_with_python(split):
    vocab = Vocabulary.build(CORPUS[:2], split=split)  # leave later texts partly unknown
    probe = CORPUS + ["<pad> <unk> <end>"]
    graph = vocab.encode_in_graph(tf.constant(probe), add_start=True, add_end=True)
    assert graph.dtype == tf.int32
    assert graph.to_list() == vocab.encode_batch(probe, add_start=True, add_end=True)
    # The same inside tf.data, one string at a time.
    dataset = tf.data.Dataset.from_tensor_slices(probe).map(lambda s: vocab.encode_in_graph(s))
    assert dataset.element_spec.shape.as_list() == [None]
    assert [x.tolist() for x in dataset.as_numpy_iterator()] == vocab.encode_batch(probe)


def test_in_graph_decode_agrees_with_python():
    vocab = Vocabulary.build(CORPUS, split="word")
    first = [2] + vocab.encode(CORPUS[0]) + [3, 5]  # ids after <end> are ignored
    second = [2, 4, 1, 0, 5, 3, 6]  # <unk> kept, <pad> skipped, stops at <end>
    width = max(len(first), len(second))
    ids = np.array([row + [0] * (width - len(row)) for row in (first, second)])
    graph = [s.decode("utf-8") for s in vocab.decode_in_graph(ids).numpy()]
    assert graph == [vocab.decode(row) for row in ids]
    assert graph[0] == " ".join(tokenize(CORPUS[0], "word"))
    lookup = vocab.lookup_layer()
    assert lookup.vocabulary_size() == vocab.size
    assert lookup(tf.constant(["<pad>", "Hello", "zzz"])).numpy().tolist() == [
        0,
        vocab.token_to_id("Hello"),
        1,
    ]


def test_lookup_first_built_inside_a_graph_works_in_later_graphs():
    vocab = Vocabulary.build(["abc"], split="char")
    first = tf.data.Dataset.from_tensors("cab").map(vocab.encode_in_graph)
    second = tf.data.Dataset.from_tensors(["ab", "x"]).map(vocab.encode_in_graph)
    assert next(iter(first)).numpy().tolist() == vocab.encode("cab")
    assert next(iter(second)).to_list() == [vocab.encode("ab"), vocab.encode("x")]
    decode = tf.function(vocab.decode_in_graph)
    assert decode(tf.constant([[2, 4, 3]])).numpy().tolist() == [vocab.decode([2, 4, 3]).encode()]
    assert vocab.decode_in_graph(tf.constant([[4, 5]])).numpy().tolist() == [
        vocab.decode([4, 5]).encode()
    ]
