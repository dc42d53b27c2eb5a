"""Readers that turn files, arrays and catalogue datasets into examples.

Text formats (plain lines, CSV/TSV, JSON Lines) are read in Python into
`Records`: named columns plus the line each row came from, so that later
stages (length limits, encoding) can name the offending line. Binary formats
(TFRecord, NumPy arrays, tensorflow-datasets) become `tf.data.Dataset`s.

Every problem with a file raises `seqkeras.errors.DataError` whose message
starts with the path and, where it applies, the line and column. Rows are
never dropped silently: skipped blank lines are counted in
`Records.skipped_blank` and logged.
"""

import csv
import dataclasses
import json
import logging
import os
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence
from typing import Union

import numpy as np
import tensorflow as tf

from seqkeras.errors import DataError
from seqkeras.utils.file_checks import file_problem
from seqkeras.utils.process_temporary import temporary_files_inside

logger = logging.getLogger("seqkeras.data")

PathLike = Union[str, os.PathLike]
Column = Union[str, int]
#: Deepest nesting of a JSON Lines field's value: examples need two levels
#: (numbers: a list of steps, each a list).
MAX_JSON_DEPTH = 32


@dataclasses.dataclass(frozen=True)
class Records:
    """Columns read from a text file, with the line number of every row.

    Attributes:
        path: the file the rows came from.
        columns: column name -> list of values, all of the same length.
        lines: 1-based line number of each row in `path`.
        skipped_blank: how many blank lines were skipped while reading.
    """

    path: str
    columns: Dict[str, List[Any]]
    lines: List[int]
    skipped_blank: int = 0

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, name: str) -> List[Any]:
        if name not in self.columns:
            raise DataError(
                f"{self.path}: no column named {name!r}; the columns are: "
                f"{', '.join(repr(c) for c in self.columns)}."
            )
        return self.columns[name]

    def where(self, index: int) -> str:
        """Return ``"path, line N"`` for row `index`, for error messages."""
        return f"{self.path}, line {self.lines[index]}"

    def to_dataset(self) -> tf.data.Dataset:
        """Return a dataset of dicts, one per row, with string/number columns."""
        return tf.data.Dataset.from_tensor_slices(
            {name: list(values) for name, values in self.columns.items()}
        )


def _read_utf8_lines(path: PathLike) -> List[str]:
    """Return the lines of `path` (without newlines), strictly decoded.

    Lines end with ``\n``, ``\r\n`` or a lone ``\r`` (old Mac files), as in
    Python's universal-newline mode.
    """
    path = os.fspath(path)
    problem = file_problem(path)
    if problem is not None:
        raise DataError(f"{path}: {problem}.")
    with open(path, "rb") as handle:
        data = handle.read()
    if not data.strip():
        raise DataError(f"{path}: the file is empty.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = []
    for number, raw in enumerate(re.split(rb"\r\n|\r|\n", data), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise DataError(
                f"{path}, line {number}, column {error.start + 1}: not valid "
                f"UTF-8 (byte 0x{raw[error.start]:02x}); text files must be "
                "UTF-8."
            ) from None
    if lines and lines[-1] == "" and data.endswith((b"\n", b"\r")):
        lines.pop()
    return lines


def _log_skipped(path: str, skipped: int) -> None:
    if skipped:
        logger.info("%s: skipped %d blank line(s).", path, skipped)


def read_lines(path: PathLike, *, skip_blank: bool = True) -> Records:
    """Read a UTF-8 text file into `Records` with one column, ``"text"``.

    Args:
        path: the file to read.
        skip_blank: skip lines that hold only whitespace (they are counted in
            `Records.skipped_blank`). Defaults to `True`.

    Returns:
        `Records` whose ``"text"`` column holds the lines without newlines.

    Raises:
        DataError: the file is missing or empty, or a line is not UTF-8.
    """
    path = os.fspath(path)
    texts, numbers, skipped = [], [], 0
    for number, line in enumerate(_read_utf8_lines(path), start=1):
        if skip_blank and not line.strip():
            skipped += 1
            continue
        texts.append(line)
        numbers.append(number)
    _log_skipped(path, skipped)
    return Records(path, {"text": texts}, numbers, skipped)


def _resolve_columns(
    path: str, header: Optional[List[str]], columns: Optional[Sequence[Column]]
) -> Dict[str, int]:
    """Map each requested column to its field index; check names exist."""
    if columns is None:
        if header is None:
            raise DataError(f"{path}: `columns` is required when the file has no header.")
        return {name: index for index, name in enumerate(header)}
    resolved = {}
    for column in columns:
        if isinstance(column, int) and not isinstance(column, bool):
            name = header[column] if header and column < len(header) else str(column)
            resolved[name] = column
        elif header is None:
            raise DataError(
                f"{path}: column {column!r} is named but the file has no "
                "header; pass column indices or `header=True`."
            )
        elif column not in header:
            raise DataError(
                f"{path}, line 1: no column named {column!r}; the header has: "
                f"{', '.join(repr(c) for c in header)}."
            )
        else:
            resolved[column] = header.index(column)
    return resolved


def read_delimited(
    path: PathLike,
    columns: Optional[Sequence[Column]] = None,
    *,
    delimiter: str = ",",
    header: bool = True,
) -> Records:
    """Read chosen columns of a CSV or TSV file into `Records`.

    Args:
        path: the file to read (UTF-8).
        columns: column names (looked up in the header) or 0-based indices;
            `None` reads every column named in the header. Defaults to `None`.
        delimiter: the field separator: ``","`` for CSV, ``"\\t"`` for TSV.
            TSV fields are taken literally (quotes are not special).
            Defaults to ``","``.
        header: whether the first line names the columns. Defaults to `True`.

    Returns:
        `Records` with one list of strings per requested column; a row's line
        is the first of its lines (a quoted CSV field may span several, and
        keeps each line break as ``"\n"``).

    Raises:
        DataError: the file is missing, empty or not UTF-8; the header names
            a column twice, or a named column is not in it; a row has too few
            fields, or more than the header names; or a quote is never closed
            (names the line).
    """
    path = os.fspath(path)
    lines = _read_utf8_lines(path)
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    # Each line gets its line break back: without it, csv joins the lines of a
    # quoted field that spans several with nothing between them.
    # Strict: a quote left open reads to the end of the file, which is reported.
    reader = csv.reader(
        (line + "\n" for line in lines), delimiter=delimiter, quoting=quoting, strict=True
    )
    end = 0
    try:
        names = next(reader) if header else None
        if names is not None:
            _check_unique_names(path, names)
        wanted = _resolve_columns(path, names, columns)
        values: Dict[str, List[str]] = {name: [] for name in wanted}
        numbers, skipped = [], 0
        end = reader.line_num
        for row in reader:
            # A row is named by its first line (a quoted field may go on for more).
            number, end = end + 1, reader.line_num
            if not any(field.strip() for field in row):
                skipped += 1
                continue
            if names is not None and len(row) > len(names):
                raise _too_many_fields(path, number, len(row), len(names), delimiter)
            for name, index in wanted.items():
                if index >= len(row):
                    raise DataError(
                        f"{path}, line {number}: column {name!r} is "
                        f"field {index + 1} but the row has only {len(row)} "
                        "field(s)."
                    )
                values[name].append(row[index])
            numbers.append(number)
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            raise DataError(
                f"{path}, line {end + 1}: a quote opened there is never closed (the field "
                f"would run to the end of the file); close it, or double a quote inside "
                f'a quoted field ("").'
            ) from None
        raise DataError(
            f"{path}, line {reader.line_num}: cannot be read as "
            f"{'TSV' if delimiter == chr(9) else 'CSV'} ({error}); check its quotes."
        ) from None
    if not numbers:
        raise DataError(f"{path}: the file has no data rows.")
    _log_skipped(path, skipped)
    return Records(path, values, numbers, skipped)


def _too_many_fields(path: str, number: int, fields: int, named: int, delimiter: str):
    """The error for a row with more fields than its header names."""
    fix = (
        "a TSV field cannot hold a tab"
        if delimiter == "\t"
        else 'quote a field that holds a comma ("a, b")'
    )
    return DataError(
        f"{path}, line {number}: {fields} fields, but the header names {named}; {fix}."
    )


def _check_unique_names(path: str, names: Sequence[str]) -> None:
    """A header naming a column twice makes `text,label,label` ambiguous: refuse it."""
    seen: Dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        if not name.strip():
            continue  # an unnamed column (a trailing delimiter) is never asked for
        if name in seen:
            raise DataError(
                f"{path}, line 1: the header names column {name!r} twice (fields "
                f"{seen[name]} and {index}); give each column its own name."
            )
        seen[name] = index


def read_csv(path: PathLike, columns=None, *, header: bool = True) -> Records:
    """`read_delimited` with ``delimiter=","``."""
    return read_delimited(path, columns, delimiter=",", header=header)


def read_tsv(path: PathLike, columns=None, *, header: bool = True) -> Records:
    """`read_delimited` with ``delimiter="\\t"``."""
    return read_delimited(path, columns, delimiter="\t", header=header)


def read_jsonl(path: PathLike, fields: Sequence[str]) -> Records:
    """Read chosen fields of a JSON Lines file (one object per line).

    Args:
        path: the file to read (UTF-8).
        fields: the keys to read from every object.

    Returns:
        `Records` with one list per field.

    Raises:
        DataError: the file is missing, empty or not UTF-8, a line is not a
            JSON object (or nests deeper, or holds a longer number, than
            Python reads), an object lacks one of `fields`, or a field's value
            holds a lone surrogate or nests more than `MAX_JSON_DEPTH` levels
            (names the line).
    """
    path = os.fspath(path)
    values: Dict[str, List[Any]] = {name: [] for name in fields}
    numbers, skipped = [], 0
    for number, line in enumerate(_read_utf8_lines(path), start=1):
        if not line.strip():
            skipped += 1
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(
                f"{path}, line {number}, column {error.colno}: not valid JSON ({error.msg})."
            ) from None
        except (ValueError, RecursionError) as error:
            # Python's limits, not JSON's: they would crash the reader otherwise.
            reason = (
                "its arrays or objects nest too deeply"
                if isinstance(error, RecursionError)
                else "a number of more than 4,300 digits"
            )
            raise DataError(f"{path}, line {number}: cannot be read as JSON: {reason}.") from None
        if not isinstance(item, dict):
            raise DataError(
                f"{path}, line {number}: expected a JSON object, got {type(item).__name__}."
            )
        for name in fields:
            if name not in item:
                raise DataError(
                    f"{path}, line {number}: no field {name!r}; the object "
                    f"has: {', '.join(repr(k) for k in item)}."
                )
            problem = _json_value_problem(item[name])
            if problem:
                raise DataError(f"{path}, line {number}: field {name!r} {problem}.")
            values[name].append(item[name])
        numbers.append(number)
    _log_skipped(path, skipped)
    return Records(path, values, numbers, skipped)


def _json_value_problem(value: Any) -> Optional[str]:
    """What makes a JSON field's `value` unusable as data, or `None`.

    JSON reads two things no later stage can take: ``\\ud800`` escapes make
    lone surrogates, which UTF-8 cannot encode (nor a vocabulary file or a
    `tf.string` hold), and arrays nested hundreds deep exhaust Python's
    recursion in whatever reads them next.
    """
    stack = [(value, 0)]  # a loop, not recursion, for the same reason
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return (
                f"nests more than {MAX_JSON_DEPTH} levels deep; expected text, a label, "
                "tags or a list of steps of numbers"
            )
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return (
                    "holds a lone surrogate escape (such as \\ud800); expected text that is "
                    "valid Unicode"
                )
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, dict):
            stack.extend((v, depth + 1) for pair in item.items() for v in pair)
    return None


def read_tfrecord(
    paths: Union[PathLike, Sequence[PathLike]],
    features: Mapping[str, Any],
) -> tf.data.Dataset:
    """Read `tf.train.Example` records into a dataset of feature dicts.

    Args:
        paths: one TFRecord file or a list of them.
        features: the parsing spec, e.g.
            ``{"text": tf.io.FixedLenFeature([], tf.string)}``.

    Returns:
        A `tf.data.Dataset` of dicts, in file order.

    Raises:
        DataError: a file is missing or empty.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    for path in paths:
        if not os.path.isfile(path):
            raise DataError(f"{path}: no such file.")
        if os.path.getsize(path) == 0:
            raise DataError(f"{path}: the file is empty.")
    spec = dict(features)
    return tf.data.TFRecordDataset(paths).map(
        lambda record: tf.io.parse_single_example(record, spec),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )


def from_arrays(*arrays: Any, **named: Any) -> tf.data.Dataset:
    """Return a dataset slicing NumPy arrays along their first axis.

    Pass arrays positionally to get tuples (``from_arrays(x, y)``) or by name
    to get dicts (``from_arrays(rows=x, label=y)``).

    Raises:
        ValueError: no arrays, both forms at once, or unequal first axes.
    """
    if bool(arrays) == bool(named):
        raise ValueError(
            "Received an invalid value for `arrays`: expected arrays either "
            f"positionally or by name, got {len(arrays)} positional and "
            f"{len(named)} named."
        )
    values = named if named else dict(enumerate(arrays))
    values = {key: np.asarray(value) for key, value in values.items()}
    lengths = {key: value.shape[0] if value.ndim else None for key, value in values.items()}
    if len(set(lengths.values())) != 1 or None in lengths.values():
        raise ValueError(
            "Received an invalid value for `arrays`: expected arrays with the "
            f"same first dimension, got lengths {lengths}."
        )
    structure = values if named else tuple(values.values())
    if not named and len(arrays) == 1:
        structure = structure[0]
    return tf.data.Dataset.from_tensor_slices(structure)


#: A tensorflow-datasets name: `name`, `name/config`, `name:1.0.0`, `name/config:1.*`.
_TFDS_NAME = re.compile(r"[a-z][a-z0-9_]*(/[A-Za-z0-9_][A-Za-z0-9_.+-]*)?(:[0-9][0-9.*]*)?")


def read_tfds(
    name: str,
    split: str = "train",
    *,
    data_dir: Optional[PathLike] = None,
    as_supervised: bool = False,
    download: bool = False,
    **kwargs: Any,
) -> tf.data.Dataset:
    """Load a tensorflow-datasets catalogue dataset by name.

    This is for users who already have the data prepared under `data_dir`
    (nothing is downloaded unless `download=True`).

    Args:
        name: the catalogue name, optionally with config and version,
            e.g. ``"imdb_reviews"`` or ``"ted_hrlr_translate/pt_to_en"``.
        split: a tfds split expression. Defaults to ``"train"``.
        data_dir: where the prepared data lives; tfds's default if `None`.
        as_supervised: return ``(input, target)`` tuples. Defaults to `False`.
        download: allow tfds to download and prepare. Defaults to `False`.
        **kwargs: passed on to `tfds.load`.

    Raises:
        DataError: the name is not a catalogue name, or the dataset is
            unknown or not prepared under `data_dir`.
    """
    if not _TFDS_NAME.fullmatch(name):
        raise DataError(
            f"tfds:{name}: not a tensorflow-datasets name; expected tfds:<name>, optionally "
            f"with /<config> and :<version> (for example tfds:imdb_reviews or "
            f"tfds:ted_hrlr_translate/pt_to_en)."
        )
    import tensorflow_datasets as tfds

    try:
        with temporary_files_inside():  # tensorflow-datasets leaves an empty folder
            return tfds.load(
                name,
                split=split,
                data_dir=None if data_dir is None else os.fspath(data_dir),
                as_supervised=as_supervised,
                download=download,
                **kwargs,
            )
    except tfds.core.registered.DatasetNotFoundError as error:
        first_line = str(error).splitlines()[0]
        raise DataError(f"tfds:{name}: {first_line}") from None
    except AssertionError as error:
        # tfds asserts that the data is prepared when `download=False`.
        raise DataError(
            f"tfds:{name}: not prepared under data_dir={data_dir!r}; prepare it "
            f"with tfds first ({error})."
        ) from None
