"""A series for forecasting: its values in time order, split by time.

A built-in series comes split already (its catalogue entry's splits follow
one another in time). A series in the user's files (`data.dataset: files`;
CSV, TSV or JSON Lines, one value per row) is ordered by its time column
(`data.source.time`) when it has one, else taken in file order, and split
by time, never carved at random: with only a training file the last 10% of
the series is the test split and the 10% before it the validation split;
validation and test files follow the training file in time.
"""

import dataclasses
import datetime
import math
import os
import pathlib
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

import numpy as np

from seqkeras import data as sk_data
from seqkeras.data import ColumnSpec
from seqkeras.data.splits import SPLITS
from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.tasks.examples import CARVED_SHARE
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.utils.shown import shown

#: Files a series is read from, by suffix.
SERIES_FORMATS = (".csv", ".tsv", ".jsonl")
_YEAR_MONTH = re.compile(r"\d{4}-\d{2}")
_TIME_FORMS = "an ISO date or datetime (2020-01-31, 2020-01-31T12:00, 2020-01) or a number"


@dataclasses.dataclass
class SplitSeries:
    """A series split by time, in the units of the data.

    Attributes:
        values: float32 values of each split (`train`, `validation`,
            `test`), each in time order; the splits follow one another.
        origin: What the series was read from (a file or a dataset), for
            messages.
    """

    values: Dict[str, np.ndarray]
    origin: str

    @property
    def counts(self) -> Dict[str, int]:
        """Values per split."""
        return {split: len(v) for split, v in self.values.items()}


@dataclasses.dataclass
class _FileSeries:
    """One file's series, sorted by time: values, times and where each row was."""

    values: np.ndarray
    times: Optional[List[Any]]  # comparable times, or None: the file's order
    raw_times: List[Any]
    where: List[str]
    kind: Optional[str]  # "number" or "date" times, or None


def read_series(config: PipelineConfig, source: ColumnSpec) -> SplitSeries:
    """The configured series, split by time.

    Args:
        config: The pipeline; `data.dataset` names a built-in series or
            `files`, `data.window` and `forecast.horizon` set how many
            values each split needs.
        source: The column of values (and, for files, `time`, the column
            the rows are ordered by).

    Returns:
        A `SplitSeries`.

    Raises:
        ConfigError: a missing file, a file of another format, or a
            validation file without a test file.
        DataError: a missing column, a value or time that does not parse,
            two rows at one time, files that overlap in time, or a series
            too short for a window and its horizon in every split (the
            file and line, or the counts, named).
    """
    if config.data.dataset == "files":
        series = _from_files(config, source)
    else:
        examples = read_examples(config, source, None, smoke=False)
        values = {
            s: np.concatenate([v.reshape(-1) for v in e.sources]).astype("float32")
            for s, e in examples.items()
        }
        series = SplitSeries(values, examples["train"].origin)
    check_length(series, config.data.window, config.forecast.horizon)
    return series


def check_length(series: SplitSeries, window: int, horizon: int) -> None:
    """Raise `DataError` unless every split has at least one forecast.

    A forecast reads `window` values and predicts the `horizon` after them.
    Windows may reach back into the split before (the test split's first
    forecast reads the end of the validation split), so the training split
    needs `window + horizon` values and the validation and test splits
    `horizon` each.
    """
    needed = {"train": window + horizon, "validation": horizon, "test": horizon}
    counts = series.counts
    if all(counts[s] >= needed[s] for s in SPLITS):
        return
    raise DataError(
        f"{series.origin}: the series has {sum(counts.values())} value(s), split by time "
        f"into {counts['train']} training, {counts['validation']} validation and "
        f"{counts['test']} test value(s); data.window {window} and forecast.horizon "
        f"{horizon} need at least {needed['train']} training value(s) and {horizon} in "
        f"each of validation and test."
    )


def _from_files(config: PipelineConfig, source: ColumnSpec) -> SplitSeries:
    files = config.data.files
    if files.train is None:
        raise ConfigError(
            "data.files.train: required when data.dataset is 'files'; expected the path "
            f"of a {', '.join(SERIES_FORMATS)} file with one value of the series per row."
        )
    if files.validation is not None and files.test is None:
        raise ConfigError(
            f"data.files.test: required when data.files.validation is given "
            f"({files.validation!r}): a forecast's test split is the end of the series, "
            f"after the validation split; give a test file too, or neither."
        )
    given = {
        split: _read_file(getattr(files, split), f"data.files.{split}", source)
        for split in SPLITS
        if getattr(files, split) is not None
    }
    _check_order(given, source.time)
    values = {split: series.values for split, series in given.items()}
    missing = [split for split in SPLITS if split not in given]
    if missing:
        values.update(split_by_time(values["train"], missing))
    return SplitSeries(values, str(files.train))


def split_by_time(train: np.ndarray, missing) -> Dict[str, np.ndarray]:
    """The end of `train` as the `missing` splits, each 10% of it, in time order.

    Args:
        train: The training series, in time order.
        missing: ``["validation", "test"]`` or ``["validation"]`` (the test
            split has its own file): the splits to take from its end.

    Returns:
        `train` (shortened) and each split of `missing`; concatenated in
        the order train, validation, test they give `train` back.
    """
    fractions = {split: CARVED_SHARE for split in missing}
    fractions = {"train": 1.0 - CARVED_SHARE * len(missing), **fractions}
    sizes = sk_data.split_sizes(len(train), fractions)
    result, start = {}, 0
    for split in ("train", *missing):
        result[split] = train[start : start + sizes[split]]
        start += sizes[split]
    return result


def _read_file(path: str, key: str, source: ColumnSpec) -> _FileSeries:
    suffix = pathlib.Path(path).suffix.lower()
    if suffix not in SERIES_FORMATS:
        raise ConfigError(
            f"{key}: got {shown(path)}; a series is read from a file ending in "
            f"{', '.join(SERIES_FORMATS)}."
        )
    if not os.path.isfile(path):  # not Path.is_file: False, not OSError, for a name too long
        raise ConfigError(f"{key}: no such file {path!r}.")
    wanted = [source.column] + ([source.time] if source.time is not None else [])
    if suffix == ".jsonl":
        records = sk_data.read_jsonl(path, [str(c) for c in wanted])
    else:
        reader = sk_data.read_tsv if suffix == ".tsv" else sk_data.read_csv
        records = reader(path, wanted)
    where = [records.where(i) for i in range(len(records))]
    values = np.array(
        [_number(v, source.column, w) for v, w in zip(records[source.column], where)],
        "float32",
    )
    if source.time is None:
        return _FileSeries(values, None, [], where, None)
    raw = list(records[source.time])
    kind, times = _times(raw, source.time, where)
    order = sorted(range(len(times)), key=times.__getitem__)
    for previous, current in zip(order, order[1:]):
        if times[previous] == times[current]:
            raise DataError(
                f"{where[current]}: {source.time!r} is {raw[current]!r}, the same time as "
                f"line {records.lines[previous]}; expected one row per time."
            )
    return _FileSeries(
        values[order],
        [times[i] for i in order],
        [raw[i] for i in order],
        [where[i] for i in order],
        kind,
    )


def _check_order(given: Dict[str, _FileSeries], time_column: Optional[str]) -> None:
    """Validation and test files must follow the training file in time."""
    if time_column is None:
        return
    splits = [split for split in SPLITS if split in given]
    for before, after in zip(splits, splits[1:]):
        earlier, later = given[before], given[after]
        if earlier.kind != later.kind:
            raise DataError(
                f"{later.where[0]}: {time_column!r} is {later.raw_times[0]!r}, a "
                f"{later.kind}, but the {before} file's times are {earlier.kind}s "
                f"({earlier.where[0]}: {earlier.raw_times[0]!r})."
            )
        if later.times[0] <= earlier.times[-1]:
            raise DataError(
                f"{later.where[0]}: {time_column!r} is {later.raw_times[0]!r}, not after "
                f"the end of the {before} series ({earlier.where[-1]}: "
                f"{earlier.raw_times[-1]!r}); data.files.{after} must follow "
                f"data.files.{before} in time."
            )


def _number(value, column, where: str) -> float:
    number = None
    if isinstance(value, str):
        if not value.strip():
            raise DataError(
                f"{where}: {column!r} is empty; expected a number (a series has no gaps: "
                f"fill the value in or drop the row)."
            )
        try:
            number = float(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _as_number(value)
    if number is None or not math.isfinite(number):
        raise DataError(f"{where}: {column!r} is {value!r}; expected a finite number.")
    return number


def _times(raw: List[Any], column: str, where: List[str]):
    """`(kind, comparable times)`: numbers, or calendar days and datetimes, as the first row's."""
    first = _as_number(raw[0])
    kind = "number" if first is not None else "date"
    parse = _as_number if kind == "number" else _as_datetime
    times = []
    for index, (value, place) in enumerate(zip(raw, where)):
        time = parse(value)
        if time is None:
            if index == 0:
                expected = _TIME_FORMS
            elif kind == "number":
                expected = "a number, as the first row's time is"
            else:
                expected = "an ISO date or datetime (2020-01-31, 2020-01-31T12:00, 2020-01)"
            raise DataError(f"{place}: {column!r} is {value!r}; expected {expected}.")
        times.append(time)
    return kind, times


def _as_number(value) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)  # OverflowError: a JSON integer past 1e308
        elif isinstance(value, str):
            number = float(value)
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _as_datetime(value) -> Optional[datetime.datetime]:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _YEAR_MONTH.fullmatch(text):
        text += "-01"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        # Aware times compare with naive ones once both are UTC wall times.
        try:
            moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        except OverflowError:  # in UTC it falls before year 1 or after 9999
            return None
    return moment
