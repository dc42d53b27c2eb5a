"""`digit_captions`: strips of real digit images captioned in words (one-to-many).

Source: the scikit-learn handwritten digits (see `digits_rows`; CC BY 4.0).
The 1,797 images are first split 1,437/180/180 with the seed, exactly as in
`digits_rows`; each strip is then made of 1-4 images of its own split placed
side by side, so no image appears in two splits.

The strip is kept as a spatial grid so that a captioning model can attend
over positions: `grid` holds one 64-feature cell per slot (empty slots are
zeros), `image` the same pixels as an 8x32 picture.

Size: train 6,000, validation 1,000, test 1,000 strips (for every seed);
deterministic for a seed.

Fields:
    image: float32 (8, 32, 1) in [0, 1]; digits left-aligned, the rest blank.
    grid: float32 (4, 64); row k is slot k's 8x8 image, flattened.
    caption: text, the number words, e.g. "seven three one".
    digits: text, the digits, e.g. "731".
    digit_ids: int64 (length,) indices of the images used (in `load_digits()`).

Supervised keys: ("grid", "caption").
"""

import numpy as np
import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.builtin.digits_rows import digit_images
from seqkeras.data.splits import split_indices

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MAX_DIGITS = 4
SIZES = {"train": 6000, "validation": 1000, "test": 1000}


class DigitCaptions(BuiltinBuilder):
    name = "seqkeras_digit_captions"
    DESCRIPTION = __doc__
    HOMEPAGE = "https://archive.ics.uci.edu/dataset/80"
    LICENSE = "CC BY 4.0"
    SUPERVISED_KEYS = ("grid", "caption")

    def features(self):
        return tfds.features.FeaturesDict(
            {
                "image": tfds.features.Tensor(shape=(8, 8 * MAX_DIGITS, 1), dtype=np.float32),
                "grid": tfds.features.Tensor(shape=(MAX_DIGITS, 64), dtype=np.float32),
                "caption": tfds.features.Text(),
                "digits": tfds.features.Text(),
                "digit_ids": tfds.features.Tensor(shape=(None,), dtype=np.int64),
            }
        )

    def make_splits(self, seed, path):
        images, labels = digit_images()
        rng = np.random.default_rng([seed, 1])
        splits = {}
        for name, pool in split_indices(len(images), seed=seed).items():
            examples = []
            for _ in range(SIZES[name]):
                chosen = rng.choice(pool, size=rng.integers(1, MAX_DIGITS + 1))
                grid = np.zeros((MAX_DIGITS, 64), np.float32)
                grid[: len(chosen)] = images[chosen].reshape(len(chosen), 64)
                image = np.zeros((8, 8 * MAX_DIGITS, 1), np.float32)
                image[:, : 8 * len(chosen), 0] = np.concatenate(list(images[chosen]), axis=1)
                examples.append(
                    {
                        "image": image,
                        "grid": grid,
                        "caption": " ".join(NUMBER_WORDS[labels[i]] for i in chosen),
                        "digits": "".join(str(labels[i]) for i in chosen),
                        "digit_ids": chosen.astype(np.int64),
                    }
                )
            splits[name] = examples
        return splits
