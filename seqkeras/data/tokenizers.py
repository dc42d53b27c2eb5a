"""Splitting text into tokens, identically in Python and inside a TF graph.

Three ways to split, chosen by name:

- ``"char"``: every Unicode code point is a token (spaces included).
- ``"word"``: runs of whitespace separate tokens, and every punctuation mark
  or symbol (Unicode categories P* and S*) is a token of its own, so
  ``"Hi, you!"`` gives ``["Hi", ",", "you", "!"]``.
- ``"whitespace"``: runs of whitespace separate tokens; nothing else is
  special. Use it for fixed token lists such as ARPAbet phonemes
  ``"HH AH0 L OW1"``.

The Python functions and the `tf.strings` versions agree token for token; the
graph versions let an exported model take raw strings.
"""

import unicodedata
from typing import List

import tensorflow as tf

from seqkeras.utils.arguments import check_choice

SPLITS = ("char", "word", "whitespace")
# Separators joining tokens back into text when decoding.
JOINERS = {"char": "", "word": " ", "whitespace": " "}

# Whitespace as both Python's `str.isspace` and RE2 see it: ASCII controls,
# the separators Python counts, and Unicode category Z.
_EXTRA_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85"
_RE2_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\pZ]"
_RE2_PUNCTUATION = r"([\pP\pS])"


def _is_space(char: str) -> bool:
    return char in _EXTRA_SPACES or unicodedata.category(char)[0] == "Z"


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def tokenize(text: str, split: str) -> List[str]:
    """Split one string into tokens (see the module docstring for `split`)."""
    check_choice("split", split, SPLITS)
    if split == "char":
        return list(text)
    pieces = []
    for char in text:
        if _is_space(char):
            pieces.append(" ")
        elif split == "word" and _is_punctuation(char):
            pieces.append(f" {char} ")
        else:
            pieces.append(char)
    return [token for token in "".join(pieces).split(" ") if token]


def tokenize_in_graph(texts: tf.Tensor, split: str) -> tf.RaggedTensor:
    """Split a 1-D `tf.string` tensor into a ragged tensor of tokens.

    Agrees with `tokenize` on every string.
    """
    check_choice("split", split, SPLITS)
    texts = tf.convert_to_tensor(texts, dtype=tf.string)
    if split == "char":
        return tf.strings.unicode_split(texts, "UTF-8")
    texts = tf.strings.regex_replace(texts, _RE2_SPACE, " ")
    if split == "word":
        texts = tf.strings.regex_replace(texts, _RE2_PUNCTUATION, r" \1 ")
    tokens = tf.strings.split(texts, sep=" ")
    return tf.ragged.boolean_mask(tokens, tf.strings.length(tokens) > 0)
