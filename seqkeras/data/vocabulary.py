"""`Vocabulary`: tokens <-> integer ids, in Python and inside the graph."""

import collections
import os
from typing import Iterable
from typing import List
from typing import Optional
from typing import Sequence
from typing import Union

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import tokenizers
from seqkeras.data.readers import _read_utf8_lines
from seqkeras.errors import DataError
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_optional_positive_int
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid

PAD, UNK, START, END = "<pad>", "<unk>", "<start>", "<end>"
RESERVED = (PAD, UNK, START, END)
_HEADER = "#seqkeras-vocabulary split="
_ESCAPES = (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"))


def _escape(token: str) -> str:
    for raw, escaped in _ESCAPES:
        token = token.replace(raw, escaped)
    return token


def _unescape(line: str) -> str:
    out, chars = [], iter(line)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def _token_problem(token: str, split: str) -> Optional[str]:
    """Say what a token should be if `split` could never produce it."""
    if split == "char" and len(token) != 1:
        return "single characters for split='char'"
    if split != "char" and tokenizers.tokenize(token, split) != [token]:
        return f"non-empty tokens that split={split!r} keeps whole"
    return None


def _as_text(text: Union[str, bytes]) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


def decoded_positions(ids: tf.Tensor, start_id: int, end_id: int) -> tf.Tensor:
    """The positions of `(..., time)` ids that decoding keeps, as a boolean mask.

    Those before the first `end_id` that are neither padding (0) nor
    `start_id`.
    """
    before_end = tf.math.cumsum(tf.cast(ids == end_id, tf.int32), axis=-1) == 0
    return before_end & (ids != 0) & (ids != start_id)


def framed_ids(vocabulary, ids: List[int], add_start: bool, add_end: bool) -> List[int]:
    """`ids` with `vocabulary`'s start id before them and end id after, as asked."""
    start = [vocabulary.start_id] if add_start else []
    return start + list(ids) + ([vocabulary.end_id] if add_end else [])


def framed_ids_in_graph(vocabulary, ids: "tf.RaggedTensor", add_start: bool, add_end: bool):
    """`framed_ids` in the graph: a ragged `(batch, None)` id tensor framed row by row."""
    rows = tf.shape(ids.row_lengths())[0]
    parts = [ids]
    if add_start:
        parts.insert(0, tf.fill([rows, 1], vocabulary.start_id))
    if add_end:
        parts.append(tf.fill([rows, 1], vocabulary.end_id))
    return tf.concat(parts, axis=1) if len(parts) > 1 else ids


def content_ids(vocabulary, ids: Iterable[int], stop_at_end: bool) -> List[int]:
    """The ids of `ids` that stand for text: up to the first end id when
    `stop_at_end`, without padding, start and end ids; an id out of range is a
    `ValueError` naming it."""
    kept = []
    for index in np.asarray(ids).reshape(-1).tolist():
        if index == vocabulary.end_id and stop_at_end:
            break
        if index not in (vocabulary.pad_id, vocabulary.start_id, vocabulary.end_id):
            vocabulary.id_to_token(index)
            kept.append(index)
    return kept


class Vocabulary:
    """Maps tokens to integer ids and back, in Python and in a TF graph.

    Ids 0-3 are reserved: `<pad>`=0, `<unk>`=1 (any token not in the
    vocabulary), `<start>`=2 and `<end>`=3; the tokens follow from id 4.

    Args:
        tokens: the vocabulary's own tokens, in id order (reserved tokens, if
            included, are skipped).
        split: how text is split into tokens: ``"char"``, ``"word"`` (words
            and punctuation marks) or ``"whitespace"`` (fixed token lists such
            as phonemes). Defaults to ``"char"``.

    Raises:
        ValueError: a token repeats, or cannot come out of `split` (an empty
            token, whitespace inside a word token, several characters in a
            character token).

    Example:

    ```python
    vocab = seqkeras.data.Vocabulary.build(["hello", "help"], split="char")
    ids = vocab.encode("help", add_end=True)     # [.., .., .., .., 3]
    vocab.decode(ids)                            # "help"
    vocab.encode_in_graph(tf.constant(["help"]))  # same ids, ragged
    ```
    """

    def __init__(self, tokens: Sequence[str], split: str = "char"):
        self.split = check_choice("split", split, tokenizers.SPLITS)
        own = [token for token in tokens if token not in RESERVED]
        for token in own:
            problem = _token_problem(token, split)
            if problem:
                raise invalid("tokens", problem, token)
        duplicates = sorted(t for t, n in collections.Counter(own).items() if n > 1)
        if duplicates:
            raise invalid("tokens", "distinct tokens", duplicates[:10])
        self.tokens = list(RESERVED) + own
        self._ids = {token: index for index, token in enumerate(self.tokens)}
        self._lookup = None
        self._inverse = None

    # Building, saving and loading.

    @classmethod
    def build(
        cls,
        texts: Iterable[Union[str, bytes]],
        split: str = "char",
        *,
        min_frequency: int = 1,
        max_size: Optional[int] = None,
    ) -> "Vocabulary":
        """Build a vocabulary from the tokens of `texts`.

        Tokens are ordered by decreasing frequency, ties by the token itself,
        so the same texts always give the same ids.

        Args:
            texts: strings (or UTF-8 bytes) to count tokens in.
            split: see the class. Defaults to ``"char"``.
            min_frequency: keep tokens seen at least this often. Defaults to 1.
            max_size: the largest vocabulary size, reserved tokens included;
                `None` for no limit. Defaults to `None`.
        """
        check_positive_int("min_frequency", min_frequency)
        check_optional_positive_int("max_size", max_size)
        if max_size is not None and max_size <= len(RESERVED):
            raise invalid("max_size", f"an integer above {len(RESERVED)}", max_size)
        counts = collections.Counter()
        for text in texts:
            counts.update(tokenizers.tokenize(_as_text(text), split))
        for token in RESERVED:
            counts.pop(token, None)
        ranked = sorted(
            (item for item in counts.items() if item[1] >= min_frequency),
            key=lambda item: (-item[1], item[0]),
        )
        if max_size is not None:
            ranked = ranked[: max_size - len(RESERVED)]
        return cls([token for token, _ in ranked], split=split)

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the vocabulary as UTF-8 text: a header, then one token per line.

        Line ``n + 2`` holds the token with id ``n``; newlines and
        backslashes inside tokens are escaped (``\\n``, ``\\\\``).
        """
        lines = [_HEADER + self.split] + [_escape(token) for token in self.tokens]
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(lines) + "\n")

    @classmethod
    def load(cls, path: Union[str, os.PathLike], split: Optional[str] = None) -> "Vocabulary":
        """Read a vocabulary written by `save`, or a plain one-token-a-line list.

        Args:
            path: the file.
            split: for a plain list without the header line, how text is
                split. Defaults to `None`: the header's, else ``"whitespace"``.

        Raises:
            DataError: the file is missing, empty or not UTF-8, or a line
                holds an empty, repeated or unsplittable token (names the line).
        """
        path = os.fspath(path)
        lines = _read_utf8_lines(path)
        first = 1
        if lines[0].startswith(_HEADER):
            split = split or lines[0][len(_HEADER) :]
            first = 2
        split = split or "whitespace"
        if split not in tokenizers.SPLITS:
            raise DataError(
                f"{path}, line 1: unknown split {split!r}; expected one of {tokenizers.SPLITS}."
            )
        tokens, seen = [], set()
        for number, line in enumerate(lines[first - 1 :], start=first):
            token = _unescape(line)
            if token in seen:
                raise DataError(f"{path}, line {number}: token {token!r} repeats.")
            problem = token not in RESERVED and _token_problem(token, split)
            if problem:
                raise DataError(f"{path}, line {number}: got token {token!r}; expected {problem}.")
            seen.add(token)
            tokens.append(token)
        return cls(tokens, split=split)

    # Python encoding and decoding.

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def size(self) -> int:
        """The number of ids, reserved ones included."""
        return len(self.tokens)

    pad_id, unk_id, start_id, end_id = 0, 1, 2, 3
    #: The run folder keeps the vocabulary as `vocabulary.<name>.txt`.
    file_suffix = ".txt"

    def token_to_id(self, token: str) -> int:
        return self._ids.get(token, self.unk_id)

    def id_to_token(self, index: int) -> str:
        if not 0 <= int(index) < len(self.tokens):
            raise invalid("index", f"an id in [0, {len(self.tokens)})", index)
        return self.tokens[int(index)]

    def tokenize(self, text: Union[str, bytes]) -> List[str]:
        return tokenizers.tokenize(_as_text(text), self.split)

    def encode(
        self, text: Union[str, bytes], *, add_start: bool = False, add_end: bool = False
    ) -> List[int]:
        """Return the ids of `text`'s tokens; unknown tokens become `<unk>`."""
        ids = [self._ids.get(token, 1) for token in self.tokenize(text)]
        return framed_ids(self, ids, add_start, add_end)

    def encode_batch(self, texts: Iterable[Union[str, bytes]], **kwargs) -> List[List[int]]:
        return [self.encode(text, **kwargs) for text in texts]

    def decode(self, ids: Iterable[int], *, stop_at_end: bool = True) -> str:
        """Turn ids back into text.

        `<pad>` and `<start>` are skipped; decoding stops at the first `<end>`
        unless `stop_at_end=False`; `<unk>` is written as ``"<unk>"``.
        """
        tokens = [self.id_to_token(index) for index in content_ids(self, ids, stop_at_end)]
        return tokenizers.JOINERS[self.split].join(tokens)

    # In-graph lookups, for tf.data and for exported models.

    def lookup_layer(self, invert: bool = False) -> keras.layers.StringLookup:
        """A `keras.layers.StringLookup` with exactly this vocabulary's ids."""
        return keras.layers.StringLookup(
            vocabulary=self.tokens[2:],
            mask_token=PAD,
            oov_token=UNK,
            num_oov_indices=1,
            invert=invert,
        )

    def encode_in_graph(
        self, texts: tf.Tensor, *, add_start: bool = False, add_end: bool = False
    ) -> tf.RaggedTensor:
        """Encode a 1-D `tf.string` tensor into ragged `int32` ids.

        Gives the same ids as `encode`, inside `tf.data.Dataset.map` or a
        `tf.function`. A scalar string gives a dense 1-D tensor.
        """
        texts = tf.convert_to_tensor(texts, dtype=tf.string)
        if texts.shape.rank == 0:
            return self.encode_in_graph(texts[None], add_start=add_start, add_end=add_end)[0]
        if self._lookup is None:
            # Created eagerly, so that its table outlives the tf.function or
            # dataset map that first needed it and every later graph can use it.
            with tf.init_scope():
                self._lookup = self.lookup_layer()
        tokens = tokenizers.tokenize_in_graph(texts, self.split)
        ids = tokens.with_flat_values(tf.cast(self._lookup(tokens.flat_values), tf.int32))
        return framed_ids_in_graph(self, ids, add_start, add_end)

    def decode_in_graph(self, ids: tf.Tensor) -> tf.Tensor:
        """Decode a dense ``(batch, time)`` id tensor into a 1-D `tf.string`.

        Agrees with `decode` (stops at the first `<end>`, skips `<pad>` and
        `<start>`).
        """
        if self._inverse is None:
            with tf.init_scope():
                self._inverse = self.lookup_layer(invert=True)
        ids = tf.convert_to_tensor(ids)
        keep = decoded_positions(ids, self.start_id, self.end_id)
        tokens = tf.ragged.boolean_mask(self._inverse(tf.cast(ids, tf.int64)), keep)
        return tf.strings.reduce_join(tokens, axis=-1, separator=tokenizers.JOINERS[self.split])

    def __repr__(self) -> str:
        return f"Vocabulary(size={self.size}, split={self.split!r})"
