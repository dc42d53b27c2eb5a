"""`SubwordVocabulary`: SentencePiece pieces, the same ids in Python and in the graph."""

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.data import SubwordVocabulary
from seqkeras.data.vocabulary import RESERVED
from seqkeras.errors import DataError

#: Training text: real words, accents, CJK, an emoji, a combining accent, and
#: spaces in odd places.
CORPUS = [
    "the cat sat on the mat",
    "the cats were sitting on the mats",
    "zürich café naïve façade",
    "日本語のテキストです",
    "good morning 🙂 good night",
    "e\u0301 is an e with a combining accent",
    "  two leading spaces and  two inside ",
] * 5
#: Strings to encode: seen words, unseen words and characters (☃, ß), empty,
#: and leading, trailing and repeated spaces.
SAMPLES = [
    "the cat sat",
    "matting sitters",
    "zürich façade café",
    "日本語",
    "🙂🙂 good",
    "e\u0301",
    "  leading",
    "trailing  ",
    "a  b   c",
    "",
    " ",
    "☃ snowman ß",
]


@pytest.fixture(scope="module")
def models():
    return {
        kind: SubwordVocabulary.train(CORPUS, 60, model_type=kind).model_proto
        for kind in ("unigram", "bpe")
    }


@pytest.fixture(params=["unigram", "bpe"])
def each_vocab(models, request):
    # One per test: the graph tokenizer's model lives in TensorFlow's kernel
    # cache, which the suite's `keras.backend.clear_session()` empties.
    return SubwordVocabulary(models[request.param])


@pytest.fixture
def vocab(models):
    return SubwordVocabulary(models["unigram"])


def test_reserved_ids_are_the_vocabularys_and_decode_skips_them(vocab):
    assert tuple(vocab.tokens[:4]) == RESERVED
    assert (vocab.pad_id, vocab.unk_id, vocab.start_id, vocab.end_id) == (0, 1, 2, 3)
    assert len(vocab) == vocab.size == 60
    ids = [i for text in SAMPLES for i in vocab.encode(text)]
    assert not {0, 2, 3} & set(ids)
    ids = vocab.encode("the cat")
    assert vocab.encode("the cat", add_start=True, add_end=True) == [2, *ids, 3]
    assert vocab.decode([2, *ids, 3, *vocab.encode("mat"), 0, 0]) == "the cat"
    assert vocab.decode([*ids, 3, *ids], stop_at_end=False) == "the cat the cat"
    with pytest.raises(ValueError, match=r"`index`: expected an id in \[0, 60\), got 60"):
        vocab.decode([60])


def test_text_round_trips_exactly(each_vocab):
    vocab = each_vocab
    for text in SAMPLES[:-1]:
        ids = vocab.encode(text, add_start=True, add_end=True)
        assert vocab.decode(ids) == text
        # The pieces are the text itself, with "▁" for each space and one
        # before the first word.
        pieces = vocab.tokenize(text)
        assert "".join(pieces).replace("\u2581", " ") == (" " + text if text else "")
        assert [vocab.token_to_id(p) for p in pieces] == vocab.encode(text)
    # Characters never seen in training come back as <unk>.
    assert vocab.decode(vocab.encode("☃ snowman ß")) == "<unk> snowman <unk>"
    assert vocab.encode("☃")[-1] == vocab.unk_id


def test_graph_tokenizing_gives_the_python_ids(each_vocab):
    vocab = each_vocab
    expected = [vocab.encode(text, add_end=True) for text in SAMPLES]
    ragged = vocab.encode_in_graph(tf.constant(SAMPLES), add_end=True)
    assert ragged.to_list() == expected
    assert vocab.encode_in_graph(tf.constant("the cat")).numpy().tolist() == vocab.encode("the cat")

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def in_graph(texts):
        return vocab.encode_in_graph(texts, add_start=True).to_tensor()

    padded = in_graph(tf.constant(SAMPLES)).numpy()
    for row, text in zip(padded, SAMPLES):
        ids = vocab.encode(text, add_start=True)
        assert row[: len(ids)].tolist() == ids and not row[len(ids) :].any()


def test_graph_detokenizing_gives_the_python_strings(each_vocab):
    vocab = each_vocab
    rows = np.random.default_rng(0).integers(0, len(vocab), size=(500, 7))
    rows[:50, 0] = vocab.token_to_id("\u2581")  # outputs that start with spaces
    encoded = [vocab.encode(text, add_end=True) for text in SAMPLES]
    width = max(map(len, encoded))
    encoded = np.array([ids + [0] * (width - len(ids)) for ids in encoded])
    for ids in (rows, encoded):
        expected = [vocab.decode(row) for row in ids]
        got = vocab.decode_in_graph(tf.constant(ids)).numpy()
        assert [text.decode("utf-8") for text in got] == expected
    assert [vocab.decode(row) for row in encoded] == SAMPLES[:-1] + ["<unk> snowman <unk>"]


def test_the_same_texts_give_the_same_model():
    first = SubwordVocabulary.train(CORPUS, 60, seed=3)
    assert SubwordVocabulary.train(CORPUS, 60, seed=3).model_proto == first.model_proto
    bpe = SubwordVocabulary.train(CORPUS, 60, model_type="bpe")
    assert bpe.model_proto == SubwordVocabulary.train(CORPUS, 60, model_type="bpe").model_proto
    assert bpe.tokens != first.tokens


def test_save_and_load_keep_the_model(vocab, tmp_path):
    path = tmp_path / "vocabulary.target.model"
    vocab.save(path)
    loaded = SubwordVocabulary.load(path)
    assert loaded.model_proto == vocab.model_proto == path.read_bytes()
    assert loaded.encode_batch(SAMPLES) == vocab.encode_batch(SAMPLES)
    (tmp_path / "broken.model").write_bytes(b"not a model")
    with pytest.raises(DataError, match=r"broken.model: Received an invalid value for"):
        SubwordVocabulary.load(tmp_path / "broken.model")
    with pytest.raises(DataError, match=r"missing.model: cannot read the SentencePiece model"):
        SubwordVocabulary.load(tmp_path / "missing.model")


def test_sizes_the_texts_cannot_give_say_the_bound():
    with pytest.raises(ValueError, match=r"`vocabulary_size`: expected at most \d+ for these"):
        SubwordVocabulary.train(CORPUS, 5000)
    with pytest.raises(ValueError, match=r"`vocabulary_size`: expected at least \d+ for these"):
        SubwordVocabulary.train(CORPUS, 10)
    # A smoke run's cut data: the model comes out smaller instead.
    assert len(SubwordVocabulary.train(CORPUS, 5000, exact_size=False)) < 5000
    with pytest.raises(ValueError, match=r"`texts`: expected some non-empty text"):
        SubwordVocabulary.train(["", ""], 20)
    with pytest.raises(ValueError, match=r"`model_type`: expected one of 'unigram', 'bpe'"):
        SubwordVocabulary.train(CORPUS, 60, model_type="word")
