"""Readers for tagged-token corpora: CoNLL (2000/2003, ``token<TAB>tag``) and CoNLL-U.

Both read a UTF-8 file into `Records` in which each row is one sentence:
``records.columns[key][i]`` is the list of strings, one per token, of
sentence `i`, and ``records.lines[i]`` is the line its first token is on.
Every problem with the file raises `seqkeras.errors.DataError` naming the
file and line; what is skipped (document separators, comments, multiword
tokens, empty nodes, extra blank lines) is counted and logged at INFO on the
``seqkeras.data`` logger.
"""

import logging
import numbers
import os
import re
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence

from seqkeras.data.readers import PathLike
from seqkeras.data.readers import Records
from seqkeras.data.readers import _read_utf8_lines
from seqkeras.errors import DataError
from seqkeras.utils.shown import shown

logger = logging.getLogger("seqkeras.data")

#: The ten fields of a CoNLL-U token line, in file order.
CONLLU_FIELDS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")

_DOCSTART = "-DOCSTART-"
_SPACES = re.compile(" +")
# ASCII digits only: `\d` would also accept other scripts' digits.
_WORD_ID = re.compile(r"[0-9]+")
_MULTIWORD_ID = re.compile(r"[0-9]+-[0-9]+")
_EMPTY_NODE_ID = re.compile(r"[0-9]+\.[0-9]+")


def _log_skipped(path: str, counts: Dict[str, int]) -> None:
    parts = [f"{count} {what}" for what, count in counts.items() if count]
    if parts:
        logger.info("%s: skipped %s.", path, ", ".join(parts))


def _check_columns(columns: Optional[Sequence[int]]) -> Optional[List[int]]:
    if columns is None:
        return None
    expected = "a list of 0-based field indices such as [0, 3]"
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence) or not columns:
        raise ValueError(
            f"Received an invalid value for `columns`: expected {expected}, got {columns!r}."
        )
    indices = []
    for column in columns:
        if isinstance(column, bool) or not isinstance(column, numbers.Integral) or column < 0:
            raise ValueError(
                f"Received an invalid value for `columns`: expected {expected}, got "
                f"{columns!r} ({column!r} is not a non-negative integer)."
            )
        if int(column) in indices:
            raise ValueError(
                f"Received an invalid value for `columns`: expected {expected}, got "
                f"{columns!r} ({column!r} is given twice)."
            )
        indices.append(int(column))
    return indices


def _split_conll(line: str) -> List[str]:
    if "\t" in line:
        return line.split("\t")
    return _SPACES.split(line.strip(" "))


def read_conll(path: PathLike, columns: Optional[Sequence[int]] = None) -> Records:
    """Read a CoNLL file (one token per line, a blank line after each sentence).

    This reads CoNLL-2000 and CoNLL-2003 files and the plain ``token<TAB>tag``
    form. A line's fields are separated by tabs, or by runs of spaces when the
    line has no tab; tab-separated fields are taken literally. Lines starting
    with ``-DOCSTART-`` separate documents and are skipped. Blank lines that
    do not end a sentence are counted in `Records.skipped_blank`. The last
    sentence need not be followed by a blank line. Lines starting with ``#``
    are tokens, not comments (``#`` is a token in CoNLL-2003).

    Args:
        path: the file to read (UTF-8; lines end with ``\\n``, ``\\r\\n`` or ``\\r``).
        columns: 0-based indices of the fields to return, e.g. ``[0, 3]`` for
            the token and the named-entity tag of CoNLL-2003. `None` returns
            every field of the first token line. Defaults to `None`.

    Returns:
        `Records` whose `columns` keys are the field indices (ints: CoNLL
        files have no header) and whose values hold one list of strings per
        sentence; `lines` holds the line of each sentence's first token.

    Raises:
        ValueError: `columns` is not a list of distinct non-negative integers.
        DataError: the file is missing, empty or not UTF-8; a token line has
            a different number of fields from the first token line; `columns`
            asks for a field the lines do not have; or the file has no
            sentences.

    Example:

    ```python
    # train.txt:  -DOCSTART- -X- -X- O
    #
    #             EU NNP B-NP B-ORG
    #             rejects VBZ B-VP O
    records = seqkeras.data.read_conll("train.txt", columns=[0, 3])
    records[0]        # [['EU', 'rejects']]: the tokens of each sentence
    records[3]        # [['B-ORG', 'O']]: their tags
    records.where(0)  # 'train.txt, line 3'
    ```
    """
    path = os.fspath(path)
    wanted = _check_columns(columns)
    lines = _read_utf8_lines(path)
    values: Dict[int, List[List[str]]] = {}
    starts: List[int] = []
    sentence: List[List[str]] = []
    expected = first = None
    skipped = {"-DOCSTART- line(s)": 0, "blank line(s) that did not end a sentence": 0}

    def end_sentence() -> None:
        for index in wanted:
            values[index].append([fields[index] for fields in sentence])
        sentence.clear()

    for number, line in enumerate(lines, start=1):
        if line.startswith(_DOCSTART):
            skipped["-DOCSTART- line(s)"] += 1
            if sentence:
                end_sentence()
            continue
        if not line.strip():
            if sentence:
                end_sentence()
            else:
                skipped["blank line(s) that did not end a sentence"] += 1
            continue
        fields = _split_conll(line)
        if expected is None:
            expected, first = len(fields), number
            if wanted is None:
                wanted = list(range(expected))
            for index in wanted:
                if index >= expected:
                    raise DataError(
                        f"{path}, line {number}: `columns` asks for field {index}, but the "
                        f"token lines have {expected} field(s), numbered 0 to {expected - 1}."
                    )
            values = {index: [] for index in wanted}
        elif len(fields) != expected:
            raise DataError(
                f"{path}, line {number}: {len(fields)} field(s), expected {expected} like the "
                f"first token line (line {first}): {shown(line)}."
            )
        if not sentence:
            starts.append(number)
        sentence.append(fields)
    if sentence:
        end_sentence()
    if not starts:
        raise DataError(
            f"{path}: no sentences; the file has only -DOCSTART- and blank lines, "
            "expected token lines."
        )
    _log_skipped(path, skipped)
    return Records(path, values, starts, skipped["blank line(s) that did not end a sentence"])


def _check_fields(fields: Sequence[str]) -> List[str]:
    expected = f"CoNLL-U field names from: {', '.join(CONLLU_FIELDS)}"
    if isinstance(fields, (str, bytes)) or not isinstance(fields, Sequence) or not fields:
        raise ValueError(
            f"Received an invalid value for `fields`: expected a list of {expected}; "
            f"got {fields!r}."
        )
    names: List[str] = []
    for field in fields:
        name = field.lower() if isinstance(field, str) else field
        if name not in CONLLU_FIELDS:
            raise ValueError(
                f"Received an invalid value for `fields`: expected {expected}; got "
                f"{fields!r} ({field!r} is not one of them)."
            )
        if name in names:
            raise ValueError(
                f"Received an invalid value for `fields`: expected {expected}; got "
                f"{fields!r} ({name!r} is given twice)."
            )
        names.append(name)
    return names


def read_conllu(path: PathLike, fields: Sequence[str] = ("form", "upos")) -> Records:
    """Read a CoNLL-U (Universal Dependencies) file.

    Token lines have ten tab-separated fields, ID FORM LEMMA UPOS XPOS FEATS
    HEAD DEPREL DEPS MISC, and a blank line ends a sentence. Lines starting
    with ``#`` are comments. Multiword tokens (ID ``1-2``) and empty nodes
    (ID ``8.1``) are skipped, so a sentence holds its syntactic words.

    Args:
        path: the file to read (UTF-8; lines end with ``\\n``, ``\\r\\n`` or ``\\r``).
        fields: the fields to return, by name, case-insensitive (``"form"``,
            ``"lemma"``, ``"upos"``, ``"xpos"``, ...). Defaults to
            ``("form", "upos")``.

    Returns:
        `Records` whose `columns` keys are the lower-case field names and
        whose values hold one list of strings per sentence; `lines` holds
        the line of each sentence's first token line (comments excluded).

    Raises:
        ValueError: `fields` names a field CoNLL-U does not have (the message
            lists the ten), or names one twice.
        DataError: the file is missing, empty or not UTF-8; a token line has
            not ten tab-separated fields or its ID is not a word index, range
            or empty node; or the file has no sentences.

    Example:

    ```python
    records = seqkeras.data.read_conllu("en_ewt-ud-train.conllu", fields=["form", "upos"])
    records["form"][0]  # ['Al', '-', 'Zaman', ':', ...]
    records["upos"][0]  # ['PROPN', 'PUNCT', 'PROPN', 'PUNCT', ...]
    ```
    """
    path = os.fspath(path)
    names = _check_fields(fields)
    positions = [CONLLU_FIELDS.index(name) for name in names]
    lines = _read_utf8_lines(path)
    values: Dict[str, List[List[str]]] = {name: [] for name in names}
    starts: List[int] = []
    sentence: List[List[str]] = []
    start = None
    skipped = {
        "comment line(s)": 0,
        "multiword token line(s)": 0,
        "empty node line(s)": 0,
        "blank line(s) that did not end a sentence": 0,
    }
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            skipped["comment line(s)"] += 1
            continue
        if not line.strip():
            if sentence:
                starts.append(start)
                for name, position in zip(names, positions):
                    values[name].append([row[position] for row in sentence])
                sentence = []
            else:
                skipped["blank line(s) that did not end a sentence"] += 1
            start = None
            continue
        row = line.split("\t")
        if len(row) != len(CONLLU_FIELDS):
            raise DataError(
                f"{path}, line {number}: {len(row)} tab-separated field(s), expected 10 "
                f"({' '.join(name.upper() for name in CONLLU_FIELDS)}): {shown(line)}."
            )
        start = number if start is None else start
        if _MULTIWORD_ID.fullmatch(row[0]):
            skipped["multiword token line(s)"] += 1
        elif _EMPTY_NODE_ID.fullmatch(row[0]):
            skipped["empty node line(s)"] += 1
        elif _WORD_ID.fullmatch(row[0]):
            sentence.append(row)
        else:
            raise DataError(
                f"{path}, line {number}: ID {row[0]!r}; expected a word index (1, 2, ...), "
                "a multiword token range (1-2) or an empty node (8.1)."
            )
    if sentence:
        starts.append(start)
        for name, position in zip(names, positions):
            values[name].append([row[position] for row in sentence])
    if not starts:
        raise DataError(
            f"{path}: no sentences; the file has no word lines (ID 1, 2, ...), only "
            "comments, blank lines, multiword tokens or empty nodes."
        )
    _log_skipped(path, skipped)
    return Records(path, values, starts, skipped["blank line(s) that did not end a sentence"])
