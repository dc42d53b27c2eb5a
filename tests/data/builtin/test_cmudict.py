"""cmudict: every pronunciation, words never cross splits; bucketing (item 3)."""

import pytest

from seqkeras.data import Vocabulary
from seqkeras.data import catalog
from seqkeras.data import pipeline
from seqkeras.data import teacher_forcing_pairs
from seqkeras.data.builtin.cmudict import phoneme_vocabulary
from seqkeras.data.builtin.cmudict import pronunciations
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["cmudict"]


def test_documented_sizes_and_vocabulary(built):
    builder = built("cmudict")
    check_documented(builder, ENTRY)
    pairs = pronunciations()
    assert len(pairs) == 135166 and len({w for w, _ in pairs}) == 126052
    phonemes = phoneme_vocabulary()
    assert phonemes.size == 4 + 84
    assert all(phonemes.unk_id not in phonemes.encode(p) for _, p in pairs[:5000])
    assert ("abandon", "AH0 B AE1 N D AH0 N") in pairs


@pytest.mark.slow
def test_every_pronunciation_once_and_words_never_cross_splits(built):
    builder = built("cmudict")
    splits = {name: read_split(builder, name, batched=True) for name in ENTRY.sizes}
    assert {name: len(v) for name, v in splits.items()} == ENTRY.sizes
    words = {name: {e["word"] for e in v} for name, v in splits.items()}
    assert {name: len(v) for name, v in words.items()} == {
        "train": 100842,
        "validation": 12605,
        "test": 12605,
    }
    assert len(set.union(*words.values())) == 126052
    read = sorted((e["word"].decode(), e["phonemes"].decode()) for v in splits.values() for e in v)
    assert read == sorted(pronunciations())


def test_bucketing_halves_the_padding(built, datasets_dir):
    """Acceptance 3: pad share per batch with bucketing <= half of without."""
    built("cmudict")
    train_words = [w for w, _ in pronunciations()]
    source = Vocabulary.build(train_words, split="char")
    target = phoneme_vocabulary()
    examples = catalog.load("cmudict", "validation", data_dir=datasets_dir)
    pairs = examples.map(
        lambda e: teacher_forcing_pairs(
            source.encode_in_graph(e["word"]), target.encode_in_graph(e["phonemes"])
        )
    ).cache()
    boundaries = pipeline.bucket_boundaries_for([len(w) for w in train_words], num_buckets=10)
    plain = pipeline.pad_share(pipeline.batch_sequences(pairs, 64, seed=0))
    bucketed = pipeline.pad_share(
        pipeline.batch_sequences(pairs, 64, seed=0, bucket_boundaries=boundaries)
    )
    print(
        f"\ncmudict validation, batch 64: pad share {plain:.3f} without bucketing, "
        f"{bucketed:.3f} with buckets at {boundaries}"
    )
    assert bucketed <= plain / 2
    assert plain > 0.3  # the comparison is meaningful: without buckets, padding is heavy
