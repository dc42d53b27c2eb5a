"""`digits_rows`: handwritten digits read row by row (many-to-one).

Source: scikit-learn's copy of the UCI "Optical Recognition of Handwritten
Digits" test set (`sklearn.datasets.load_digits`, shipped inside
scikit-learn): 1,797 real 8x8 images of the digits 0-9 written by 43 people,
pixel counts 0-16. Licence: CC BY 4.0 (UCI Machine Learning Repository).

Each image is read as a sequence of 8 time steps (its rows) of 8 features
(the pixels of the row, as the counts 0-16 the images hold: the catalogue
entry declares the scale of 1/16, which the model applies itself, so its
export takes raw images); the target is the digit.

Size: 1,797 examples; for every seed, train 1,437, validation 180, test 180
(a seeded permutation of the images, so no image is in two splits).

Fields:
    rows: float32 (8, 8), row-major, pixel counts 0-16.
    label: int64 class 0-9 (`ClassLabel`).
    index: int64, the image's position in `load_digits()` (to check splits).

Supervised keys: ("rows", "label").
"""

import numpy as np
import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.splits import split_indices


def digit_images():
    """All 1,797 images as float32 (1797, 8, 8) in [0, 1], and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int64)


class DigitsRows(BuiltinBuilder):
    name = "seqkeras_digits_rows"
    DESCRIPTION = __doc__
    HOMEPAGE = "https://archive.ics.uci.edu/dataset/80"
    LICENSE = "CC BY 4.0"
    CITATION = "Alpaydin, E. and Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI."
    SUPERVISED_KEYS = ("rows", "label")
    VERSION = tfds.core.Version("1.1.0")
    RELEASE_NOTES = {
        "1.0.0": "First release.",
        "1.1.0": "Rows hold the raw pixel counts 0-16 (were scaled to [0, 1]).",
    }

    def features(self):
        return tfds.features.FeaturesDict(
            {
                "rows": tfds.features.Tensor(shape=(8, 8), dtype=np.float32),
                "label": tfds.features.ClassLabel(num_classes=10),
                "index": np.int64,
            }
        )

    def make_splits(self, seed, path):
        images, labels = digit_images()
        images = images * np.float32(16.0)  # back to counts: exact, 16 is a power of two
        return {
            name: [{"rows": images[i], "label": labels[i], "index": i} for i in indices]
            for name, indices in split_indices(len(images), seed=seed).items()
        }
