"""`text`: English text for character language modelling (many-to-many, TBPTT).

Source, by default: Python's own documentation text, `pydoc_data.topics`,
which ships with every Python (the help topics of the language reference:
statements, data model, operators, ...). Licence: PSF License (Python's
documentation). With ``path=...`` the text is the user's own UTF-8 file
instead, cut into paragraphs at blank lines.

Documents (topics, or paragraphs of the user's file) are split 80/10/10 with
the seed, so no document is in two splits. For language modelling, join a
split's documents and cut windows with `seqkeras.data.language_model_windows`
or `seqkeras.data.tbptt_streams`.

Size (Python 3.11's pydoc_data): 79 topics, 464,970 characters; for every
seed train 63, validation 8, test 8 topics. Other Python versions ship
slightly different topics.

Fields:
    title: text, the topic name (or "<file> paragraph N").
    text: text, the document.
"""

import os

import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.readers import read_lines
from seqkeras.data.splits import split_examples


def documents(path=None):
    """(title, text) pairs: pydoc topics, or the paragraphs of `path`."""
    if path is None:
        from pydoc_data.topics import topics

        return sorted(topics.items())
    records = read_lines(path, skip_blank=False)
    paragraphs, current = [], []
    for line in records["text"] + [""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    name = os.path.basename(path)
    return [(f"{name} paragraph {n}", text) for n, text in enumerate(paragraphs, start=1)]


class Text(BuiltinBuilder):
    name = "seqkeras_text"
    DESCRIPTION = __doc__
    HOMEPAGE = "https://docs.python.org/3/reference/"
    LICENSE = "PSF License (Python documentation) or the user's own file"

    def features(self):
        return tfds.features.FeaturesDict(
            {"title": tfds.features.Text(), "text": tfds.features.Text()}
        )

    def make_splits(self, seed, path):
        return {
            name: [{"title": title, "text": text} for title, text in docs]
            for name, docs in split_examples(documents(path), seed=seed).items()
        }
