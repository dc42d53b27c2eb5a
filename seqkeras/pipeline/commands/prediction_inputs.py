"""Numeric inputs for `seqkeras predict`: arrays read from the user's files.

Exports that take float tensors (a classifier of vectors, a forecaster, a
captioner of feature grids) are given examples as `.npy` / `.npz` files,
a JSON file of one array or a list of them, JSON Lines (one array a line)
or CSV / plain text rows (one example a row, its values in row-major
order). A forecaster is given a series instead: its recent values (a
column, a row or an array), of which the last `window` are used.
"""

import csv
import json
import pathlib
import re
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np

from seqkeras.errors import DataError
from seqkeras.utils.file_checks import file_problem

#: Extensions read as JSON; anything else that is not NumPy is read as CSV/plain rows.
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_NUMBER = re.compile(r"[\s,;]+")


def read_examples(
    paths: Sequence[str], shape: Sequence[Optional[int]]
) -> Tuple[List[str], np.ndarray]:
    """`(a name per example, float32 examples of `shape`)` from the files `paths`.

    `shape` is one example's shape, `None` where any size is accepted (a
    sequence of any length: the examples are then padded with zeros to the
    longest, which the model's mask skips).
    """
    names, examples = [], []
    # Values past float32's range become inf when cast, refused by name below.
    with np.errstate(over="ignore"):
        for path in paths:
            for label, array in _arrays_in(path):
                where = path if label is None else f"{path}[{label}]"
                found, single = _as_examples(array, shape, where)
                found_names = [where] if single else [f"{where}[{i}]" for i in range(len(found))]
                for name, example in zip(found_names, found):
                    _check_finite(name, example)
                names.extend(found_names)
                examples.extend(found)
    return names, _stack(examples)


def read_windows(
    paths: Sequence[str], window: Optional[int], features: int = 1
) -> Tuple[List[str], np.ndarray]:
    """`(a name per series, float32 windows (n, window, features))` from the series in `paths`.

    Each file (or inline list of numbers) holds one series' recent values, oldest first;
    its last `window` values make the window. A 2-D array of shape `(n, window)` or a
    3-D one `(n, window, features)` is taken as `n` windows already cut.
    """
    names, windows = [], []
    # Values past float32's range become inf when cast, refused by name below.
    with np.errstate(over="ignore"):
        for path in paths:
            for label, array in _arrays_in(path):
                name = path if label is None else f"{path}[{label}]"
                try:
                    array = np.asarray(array, "float32")
                except ValueError:
                    raise DataError(
                        f"{name}: rows of different lengths; expected one value a line."
                    ) from None
                given = list(array.shape)
                if array.ndim == 2 and 1 in array.shape and features == 1:
                    array = array.reshape(-1)  # one column (a value a line) or one row
                if array.ndim == 1 and features == 1:
                    if window is not None and array.shape[0] < window:
                        raise DataError(
                            f"{path}: {array.shape[0]} values; this forecast export reads the "
                            f"last {window} values of the series (expected at least {window})."
                        )
                    _check_finite(name, array)  # the whole series, as given
                    windows.append(array[-window if window else 0 :, None])
                    names.append(name)
                    continue
                if array.ndim == 2 and features == 1:
                    array = array[..., None]
                if (
                    array.ndim != 3
                    or array.shape[2] != features
                    or (window is not None and array.shape[1] != window)
                ):
                    raise DataError(
                        f"{name}: got an array of shape {given}; this forecast export "
                        f"takes a series of at least {window} values (one number per line or "
                        f"row, or a 1-D array), or windows shaped "
                        f"{_shape_text((None, window, features))}."
                    )
                for i, example in enumerate(array):
                    _check_finite(f"{name}[{i}]", example)
                    windows.append(example)
                    names.append(f"{name}[{i}]")
    return names, _stack(windows)


def _arrays_in(path: str) -> List[Tuple[Optional[str], object]]:
    """`(label, array-like)` pairs a file holds; inline numbers when `path` is no file."""
    file = pathlib.Path(path)
    problem = file_problem(file)  # a FIFO or device is named, never opened
    if problem is not None:
        values = _numbers(path) if problem == "no such file" else None
        if values is None:
            raise DataError(
                f"{path}: {problem}; give .npy, .npz, .json, .jsonl or .csv files "
                f"(or numbers separated by commas)."
            )
        return [(None, np.asarray(values, "float32"))]
    suffix = file.suffix.lower()
    try:
        if suffix == ".npy":
            return [(None, np.load(file, allow_pickle=False))]
        if suffix == ".npz":
            with np.load(file, allow_pickle=False) as archive:
                return [(name, archive[name]) for name in archive.files]
        text = file.read_text(encoding="utf-8")
        if suffix in JSON_SUFFIXES:
            return [(None, json.loads(text))]
        if suffix in JSONL_SUFFIXES:
            lines = [line for line in text.splitlines() if line.strip()]
            return [(None, [json.loads(line) for line in lines])]
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: cannot be read as {suffix[1:]}: {error}") from None
    except RecursionError:
        # Python's limit, not JSON's: it would crash the command otherwise.
        raise DataError(
            f"{path}: cannot be read as {suffix[1:]}: its arrays nest too deeply; "
            f"give arrays of at most a few dimensions."
        ) from None
    return [(None, _rows(path, text))]


def _rows(path: str, text: str) -> List[List[float]]:
    """CSV or whitespace-separated rows of numbers; a header line is skipped."""
    rows = []
    lines = [line for line in text.splitlines() if line.strip()]
    dialect = "excel-tab" if lines and "\t" in lines[0] else "excel"
    for number, cells in enumerate(csv.reader(lines, dialect=dialect), start=1):
        values = _numbers(" ".join(cells))
        if values is None:
            if number == 1:  # a header
                continue
            raise DataError(f"{path}, line {number}: not numbers: {','.join(cells)[:80]!r}.")
        rows.append(values)
    if not rows:
        raise DataError(f"{path}: no rows of numbers.")
    return rows


def _check_finite(name: str, example: np.ndarray) -> None:
    """Refuse NaN, infinities and values past float32's range, naming the first one's place."""
    bad = np.argwhere(~np.isfinite(example))
    if bad.size:
        place = ", ".join(str(int(i)) for i in bad[0])
        raise DataError(
            f"{name}: the value at [{place}] is {example[tuple(bad[0])]} (NaN, infinite, or "
            f"beyond float32's range of about 3.4e38); the model reads finite numbers, as "
            f"training does."
        )


def _numbers(text: str) -> Optional[List[float]]:
    parts = [p for p in _NUMBER.split(text.strip()) if p]
    try:
        return [float(p) for p in parts] or None
    except ValueError:
        return None


def _as_examples(array, shape, where) -> Tuple[List[np.ndarray], bool]:
    """`(the examples in array, whether it is one example)`: one of `shape` or a batch."""
    try:
        values = np.asarray(array, "float32")
    except ValueError:
        if not isinstance(array, list):
            raise DataError(f"{where}: not an array of numbers.") from None
        # Rows of different lengths (CSV, JSON Lines): sequences of any length.
        try:
            rows = [np.asarray(row, "float32") for row in array]
        except ValueError as error:
            raise DataError(f"{where}: not an array of numbers: {error}") from None
        return [
            row if _fits(row.shape, shape) else _reshaped(row, shape, where) for row in rows
        ], False
    if _fits(values.shape, shape):
        return [values], True
    if values.ndim >= 1 and _fits(values.shape[1:], shape):
        return list(values), False
    if values.ndim == 2:  # flat rows (CSV, JSON Lines of flat lists)
        return [_reshaped(row, shape, where) for row in values], False
    if values.ndim == 1:
        return [_reshaped(values, shape, where)], True
    raise _shape_error(where, values.shape, shape)


def _reshaped(row: np.ndarray, shape, where) -> np.ndarray:
    row = np.asarray(row, "float32").reshape(-1)
    known = int(np.prod([s for s in shape if s is not None] or [1]))
    if None in shape:
        if row.size % known or shape.count(None) > 1:
            raise _shape_error(where, row.shape, shape)
        return row.reshape([-1 if s is None else s for s in shape])
    if row.size != known:
        raise _shape_error(where, row.shape, shape)
    return row.reshape(shape)


def _fits(got, shape) -> bool:
    return (
        got is not None
        and len(got) == len(shape)
        and all(want is None or want == size for size, want in zip(got, shape))
    )


def _shape_error(where, got, shape) -> DataError:
    size = int(np.prod([s for s in shape if s is not None] or [1]))
    return DataError(
        f"{where}: got an array of shape {list(got)}; this export takes examples of shape "
        f"{_shape_text(shape)} (or a batch of them, {_shape_text((None, *shape))}; CSV rows "
        f"and JSON Lines of {size} values each, in row-major order)."
    )


def _shape_text(shape) -> str:
    return "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"


def _stack(examples: List[np.ndarray]) -> np.ndarray:
    """The examples as one batch, sequences of different lengths zero-padded at the end."""
    longest = max(e.shape[0] for e in examples) if examples[0].ndim else 0
    padded = []
    for example in examples:
        if example.ndim and example.shape[0] < longest:
            pad = [(0, longest - example.shape[0])] + [(0, 0)] * (example.ndim - 1)
            example = np.pad(example, pad)
        padded.append(example)
    return np.stack(padded).astype("float32")
