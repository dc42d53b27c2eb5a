"""digit_captions: strips of real digits, captions that match, no image shared."""

import numpy as np

from seqkeras.data import catalog
from seqkeras.data.builtin.digit_captions import NUMBER_WORDS
from seqkeras.data.builtin.digits_rows import digit_images
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["digit_captions"]


def test_size_fields_and_captions_match_images(built):
    builder = built("digit_captions")
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name) for name in ENTRY.sizes}
    assert {name: len(v) for name, v in splits.items()} == ENTRY.sizes
    images, labels = digit_images()
    lengths = set()
    for example in splits["validation"]:
        ids = example["digit_ids"]
        lengths.add(len(ids))
        words = example["caption"].decode().split()
        assert words == [NUMBER_WORDS[labels[i]] for i in ids]
        assert example["digits"].decode() == "".join(str(labels[i]) for i in ids)
        assert example["grid"].shape == (4, 64) and example["image"].shape == (8, 32, 1)
        assert np.array_equal(example["grid"][: len(ids)], images[ids].reshape(-1, 64))
        assert not example["grid"][len(ids) :].any()
        assert np.array_equal(
            example["image"][:, : 8 * len(ids), 0], np.concatenate(list(images[ids]), axis=1)
        )
    assert lengths == {1, 2, 3, 4}


def test_images_never_shared_between_splits(built):
    builder = built("digit_captions")
    used = {
        name: {int(i) for e in read_split(builder, name) for i in e["digit_ids"]}
        for name in ENTRY.sizes
    }
    assert not used["train"] & used["validation"]
    assert not used["train"] & used["test"]
    assert not used["validation"] & used["test"]
    rows_test = {int(e["index"]) for e in read_split(built("digits_rows"), "test")}
    assert used["test"] <= rows_test  # the same image split as digits_rows
