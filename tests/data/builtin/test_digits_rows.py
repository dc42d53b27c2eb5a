"""digits_rows: documented size and fields, real sklearn images, disjoint splits."""

import numpy as np

from seqkeras.data import catalog
from seqkeras.data.builtin.digits_rows import digit_images
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["digits_rows"]


def test_size_fields_content_and_disjoint_splits(built):
    builder = built("digits_rows")
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name) for name in ENTRY.sizes}
    assert {name: len(v) for name, v in splits.items()} == ENTRY.sizes
    ids = {name: {int(e["index"]) for e in v} for name, v in splits.items()}
    assert sum(len(v) for v in ids.values()) == 1797
    assert set.union(*ids.values()) == set(range(1797))
    images, labels = digit_images()
    for example in splits["test"][:50]:
        assert example["rows"].shape == (8, 8) and example["rows"].dtype == np.float32
        # The raw pixel counts of sklearn's images (the model scales them).
        assert np.array_equal(example["rows"], images[example["index"]] * 16)
        assert example["label"] == labels[example["index"]]
    assert 0.0 <= images.min() and images.max() == 1.0
    assert ENTRY.source_column.scale == 1 / 16


def test_seed_changes_the_split_and_load_gives_supervised_pairs(built, datasets_dir):
    first = {int(e["index"]) for e in read_split(built("digits_rows", seed=0), "test")}
    other = {int(e["index"]) for e in read_split(built("digits_rows", seed=1), "test")}
    assert first != other
    rows, label = next(
        iter(catalog.load("digits_rows", "validation", data_dir=datasets_dir, as_supervised=True))
    )
    assert rows.shape == (8, 8) and label.dtype.is_integer
