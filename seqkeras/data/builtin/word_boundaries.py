"""`word_boundaries`: find where words begin in text without spaces (tagging).

Source: the `text` dataset's documents (Python's `pydoc_data.topics` by
default, PSF License; or the user's file with ``path=...``). Every line with
at least two words becomes an example: its characters with all whitespace
removed, each tagged 1 if it begins a (whitespace-separated) word, else 0.
"Return the value" -> "Returnthevalue", 10000001001000. Both sides of a
character matter, so this suits bidirectional synchronous many-to-many models.

Documents are split exactly as in `text` (same seed, same documents), so no
line's document is in two splits.

Size (Python 3.11's pydoc_data): 7,715 lines in total; with seed 0,
train 6,575, validation 582, test 558.

Fields:
    characters: text, the line without whitespace.
    labels: int32 (length,), 1 where a word begins; one per character.
    text: text, the original line (stripped).
"""

import numpy as np
import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.builtin.text import documents
from seqkeras.data.splits import split_examples


def tag_line(line: str):
    """Return (characters without whitespace, 0/1 word-start labels)."""
    words = line.split()
    labels = [int(position == 0) for word in words for position in range(len(word))]
    return "".join(words), np.array(labels, dtype=np.int32)


class WordBoundaries(BuiltinBuilder):
    name = "seqkeras_word_boundaries"
    DESCRIPTION = __doc__
    HOMEPAGE = "https://docs.python.org/3/reference/"
    LICENSE = "PSF License (Python documentation) or the user's own file"

    def features(self):
        return tfds.features.FeaturesDict(
            {
                "characters": tfds.features.Text(),
                "labels": tfds.features.Tensor(shape=(None,), dtype=np.int32),
                "text": tfds.features.Text(),
            }
        )

    def make_splits(self, seed, path):
        splits = {}
        for name, docs in split_examples(documents(path), seed=seed).items():
            examples = []
            for _, text in docs:
                for line in text.splitlines():
                    if len(line.split()) >= 2:
                        characters, labels = tag_line(line)
                        examples.append(
                            {"characters": characters, "labels": labels, "text": line.strip()}
                        )
            splits[name] = examples
        return splits
