"""Property tests of the file readers (issue #14, acceptance 3).

Arbitrary bytes, and files written from arbitrary rows, read as CSV, TSV and
JSON Lines (seqkeras/data/readers.py), as a pipeline's examples
(seqkeras/pipeline/tasks/examples.py) and as a forecasting series
(seqkeras/pipeline/tasks/forecast_series.py) give rows or a `DataError` that names the
file (and the right line): never another exception. Rows that are read are
the rows written. CoNLL and CoNLL-U: tests/data/test_conll.py. Examples:
tests/hypothesis_profiles.py.
"""

import csv
import io
import json
import pathlib
import re
import time

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import example  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from seqkeras.data import readers  # noqa: E402
from seqkeras.data.images import image_problem  # noqa: E402
from seqkeras.errors import ConfigError  # noqa: E402
from seqkeras.errors import DataError  # noqa: E402
from seqkeras.pipeline.config.fields import from_dict  # noqa: E402
from seqkeras.pipeline.config.image_encoder_weights import check_encoder_weights  # noqa: E402
from seqkeras.pipeline.config.schema import ImageEncoderConfig  # noqa: E402
from seqkeras.pipeline.config.schema import PipelineConfig  # noqa: E402
from seqkeras.pipeline.tasks.examples import read_examples  # noqa: E402
from seqkeras.pipeline.tasks.examples import resolve_columns  # noqa: E402
from seqkeras.pipeline.tasks.forecast_series import read_series  # noqa: E402

#: Thread CPU seconds one read may take (CPU time: a busy machine does not inflate it).
TIME_BOUND = 2.0
#: The tests share one folder across examples; each example rewrites its file.
shared_folder = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
LINE_BREAK = re.compile(r"\r\n|\r|\n")
line_breaks = st.sampled_from(["\n", "\r\n", "\r"])


def physical_lines(data: bytes) -> int:
    """Lines of `data` as the readers count them (\\n, \\r\\n or a lone \\r ends one)."""
    return len(re.split(rb"\r\n|\r|\n", data))


def read_within_bound(read, *args, **kwargs):
    """`read(...)`, asserting its CPU time; returns the result or the `DataError`."""
    started = time.thread_time()
    try:
        return read(*args, **kwargs)
    except DataError as error:
        return error
    finally:
        spent = time.thread_time() - started
        assert spent < TIME_BOUND, f"reading took {spent:.1f} s of CPU"


def assert_names_the_file_and_a_line_it_has(error, path, data: bytes):
    message = str(error)
    assert message.startswith(str(path)), message
    for line in re.findall(r"^[^:]*, line (\d+)", message):
        assert 1 <= int(line) <= physical_lines(data), message


def assert_well_formed(records, data: bytes):
    assert records.lines == sorted(set(records.lines)), records.lines
    assert not records.lines or records.lines[-1] <= physical_lines(data)
    for values in records.columns.values():
        assert len(values) == len(records)
        for value in values:
            if isinstance(value, str):
                value.encode("utf-8")  # no lone surrogates: every later stage writes UTF-8


# --- arbitrary bytes ----------------------------------------------------------------------

PIECES = [b",", b"\t", b'"', b"\n", b"\r\n", b"\r", b" ", b"\xef\xbb\xbf", b"\x00", b"\xff"]
PIECES += [b"\xe2\x80\xa8", b"\xc2\x85", b"{", b"}", b"[", b"]", b":", b'"a"', b"1", b"a"]
READS = [
    ("lines", readers.read_lines, {}),
    ("csv", readers.read_csv, {}),
    ("csv a", readers.read_csv, {"columns": ["a"]}),
    ("tsv a 1", readers.read_tsv, {"columns": ["a", 1]}),
    ("tsv no header", readers.read_tsv, {"columns": [0, 2], "header": False}),
    ("jsonl", readers.read_jsonl, {"fields": ["a"]}),
]


@shared_folder
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join),
    )
)
@example(b'a\n{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}\n")
@example(b'{"a": ' + b"1" * 5000 + b"}\n")
@example(b'{"a": "\\ud800"}\n')
@example(b'a,b\n"x\ny",z\n')
def test_any_bytes_give_rows_or_a_data_error_naming_file_and_line(tmp_path, data):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    for _, read, options in READS:
        result = read_within_bound(read, path, **options)
        if isinstance(result, DataError):
            assert_names_the_file_and_a_line_it_has(result, path, data)
        else:
            assert_well_formed(result, data)


# --- rows written by a writer, read back --------------------------------------------------

# Any text a UTF-8 file holds: every code point but the surrogates.
field_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Header names: one line each, and not starting with what reads as a byte order mark.
names = st.lists(
    field_text.map(lambda t: re.sub(r"[\t\r\n]", " ", t)).filter(
        lambda t: t.strip() and not t.startswith("\ufeff")
    ),
    min_size=1,
    max_size=4,
    unique=True,
)


def is_blank(row) -> bool:
    return not any(field.strip() for field in row)


def csv_row(row) -> str:
    """One CSV row, a field quoted when it holds any line break.

    (csv.writer quotes only the characters of its own line terminator.)
    """
    line = io.StringIO()
    csv.writer(line, lineterminator="\r\n").writerow(row)
    return line.getvalue()[: -len("\r\n")]


@st.composite
def delimited_files(draw, delimiter):
    """`(bytes, header, rows, first line of each row)` of a CSV or TSV file."""
    header = draw(names)
    quote_free = delimiter == "\t"
    text = field_text.map(lambda t: re.sub(r"[\t\r\n]", " ", t)) if quote_free else field_text
    rows = draw(st.lists(st.lists(text, min_size=len(header), max_size=len(header)), max_size=8))
    ending = draw(line_breaks)
    buffer = io.StringIO()

    def write(row):
        buffer.write(("\t".join(row) if quote_free else csv_row(row)) + ending)

    write(header)
    starts = []
    for row in rows:
        starts.append(len(LINE_BREAK.findall(buffer.getvalue())) + 1)
        write(row)
        if draw(st.booleans()):
            buffer.write(ending)  # a blank line, skipped
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + buffer.getvalue().encode("utf-8"), header, rows, starts


def expected_rows(header, rows, starts):
    """Rows as read: blank ones skipped, line breaks in a quoted field as \\n."""
    kept = [
        ([LINE_BREAK.sub("\n", field) for field in row], start) for row, start in zip(rows, starts)
    ]
    kept = [(row, start) for row, start in kept if not is_blank(row)]
    columns = {name: [row[i] for row, _ in kept] for i, name in enumerate(header)}
    return columns, [start for _, start in kept]


@shared_folder
@given(st.sampled_from([",", "\t"]).flatmap(lambda d: st.tuples(st.just(d), delimited_files(d))))
@example((",", (b'a,b\n"x\ny",z\n', ["a", "b"], [["x\ny", "z"]], [2])))
@example((",", (b'a\n"\r"\n1\n', ["a"], [["\r"], ["1"]], [2, 4])))
def test_delimited_rows_read_back_as_written(tmp_path, case):
    delimiter, (data, header, rows, starts) = case
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    result = read_within_bound(readers.read_delimited, path, delimiter=delimiter)
    columns, lines = expected_rows(header, rows, starts)
    if not lines:
        assert isinstance(result, DataError), result
        assert str(result) == f"{path}: the file has no data rows."
        return
    assert not isinstance(result, DataError), result
    assert result.columns == columns
    assert result.lines == lines


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
#: Lines json.loads reads or refuses in ways written JSON never shows.
RAW_JSON_LINES = [
    "",
    "   ",
    "[1, 2]",
    "null",
    '{"a": 1,}',
    '{"a": NaN, "b": Infinity}',
    '{"a": "\\ud800", "b": 1}',
    '{"a": 1, "b": "\\udfff\\ud800"}',
    '{"a": 1, "b": 2, "a": 3}',
    '{"a": ' + "1" * 5000 + ', "b": 1}',
    '{"a": ' + "[" * 40 + "]" * 40 + ', "b": 1}',
    '{"a": ' + "[" * 900 + "]" * 900 + ', "b": 1}',
    '{"a": ' + "[" * 100000 + ', "b": 1}',
    '{"a": "x\u2028y", "b": "\x85"}',
    '{"a": "\x01", "b": 1}',
    "\ufeff{}",
]
json_lines = st.one_of(
    st.fixed_dictionaries({"a": json_values, "b": json_values}, optional={"c": json_values}).map(
        lambda item: json.dumps(item, ensure_ascii=False)
    ),
    st.sampled_from(RAW_JSON_LINES),
)


def json_depth(value) -> int:
    """How deep the innermost value of `value` lies (0: `value` is a number or a string)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            item = [v for pair in item.items() for v in pair]
        if isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def expected_jsonl(lines):
    """`(columns, line numbers)` of fields a and b, or the first line a reader must refuse."""
    columns, numbers = {"a": [], "b": []}, []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            for name in "ab":
                json.dumps(item[name], ensure_ascii=False).encode("utf-8")
                assert json_depth(item[name]) <= readers.MAX_JSON_DEPTH
        except Exception:  # noqa: BLE001 - any reason: the reader must name this line
            return None, number
        for name in "ab":
            columns[name].append(item[name])
        numbers.append(number)
    return columns, numbers


@shared_folder
@given(st.lists(json_lines, min_size=1, max_size=6), line_breaks)
@example(['{"a": ' + "[" * 100000 + ', "b": 1}'], "\n")
@example(['{"a": ' + "1" * 5000 + ', "b": 1}'], "\n")
@example(['{"a": "\\ud800", "b": 1}'], "\n")
def test_json_lines_read_back_or_name_the_first_bad_line(tmp_path, lines, ending):
    if all(not line.strip() for line in lines):
        return  # the empty-file message, tested in test_readers.py
    path = tmp_path / "rows.jsonl"
    path.write_bytes(ending.join(lines).encode("utf-8", "surrogatepass"))
    result = read_within_bound(readers.read_jsonl, path, ["a", "b"])
    columns, numbers = expected_jsonl(lines)
    if columns is None:
        assert isinstance(result, DataError), (result.columns, numbers)
        assert str(result).startswith(f"{path}, line {numbers}"), str(result)
        return
    assert not isinstance(result, DataError), result
    assert result.lines == numbers
    assert json.dumps(result.columns) == json.dumps(columns)  # NaN-aware equality


# --- a pipeline's examples and a series -----------------------------------------------------

COLUMN_KINDS = [  # (task, source type, target type) as the tasks read them
    ("classify", "text", "label"),
    ("classify", "numbers", "label"),
    ("tag", "text", "tags"),
    ("seq2seq", "text", "text"),
]
cells = st.one_of(
    json_values,
    st.sampled_from(["", " ", "B-PER O", "1.5", "nan", "1e400", "[1, 2]", "2020-01-31"]),
    st.sampled_from([[[1.5, 2.0], [3.0, 4.0]], [1, 2, 3], [[1], [2, 3]], 10**400, ["a", "b"]]),
)


def write_rows(path, rows) -> int:
    """Write `rows` (dicts of a and b) as JSON Lines, or CSV/TSV text; return the rows kept.

    A CSV/TSV row whose cells are all blank is a blank line, which readers skip.
    """
    kept = len(rows)
    if path.suffix == ".jsonl":
        text = "".join(json.dumps(row) + "\n" for row in rows)
    else:
        buffer = io.StringIO()
        delimiter = "\t" if path.suffix == ".tsv" else ","
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["a", "b"])
        for row in rows:
            cells = [json.dumps(v) if not isinstance(v, str) else v for v in row.values()]
            cells = [re.sub(r"[\t\r\n]", " ", cell) for cell in cells]
            writer.writerow(cells)
            kept -= is_blank(cells)
        text = buffer.getvalue()
    path.write_text(text, encoding="utf-8")
    return kept


def files_config(train, **data):
    return from_dict(
        PipelineConfig,
        {"data": {"dataset": "files", "files": {"train": str(train)}, **data}},
        source="test",
    )


@shared_folder
@given(
    kind=st.sampled_from(COLUMN_KINDS),
    suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]),
    rows=st.lists(st.fixed_dictionaries({"a": cells, "b": cells}), min_size=1, max_size=12),
)
@example(kind=COLUMN_KINDS[1], suffix=".jsonl", rows=[{"a": [10**400], "b": "x"}] * 4)
@example(kind=COLUMN_KINDS[2], suffix=".jsonl", rows=[{"a": "w", "b": 5}] * 4)
@example(kind=COLUMN_KINDS[2], suffix=".jsonl", rows=[{"a": "w", "b": [{"x": 1}]}] * 4)
def test_a_pipelines_examples_are_read_or_a_data_error_names_the_file(tmp_path, kind, suffix, rows):
    task, source_type, target_type = kind
    path = tmp_path / f"rows{suffix}"
    write_rows(path, rows)
    config = files_config(path, source={"column": "a", "type": source_type}, target={"column": "b"})
    config.task = task
    source, target = resolve_columns(config, target_type)
    result = read_within_bound(read_examples, config, source, target, smoke=False)
    if isinstance(result, DataError):
        assert str(result).startswith(str(path)), str(result)
        return
    for examples in result.values():
        assert len(examples.sources) == len(examples.targets) == len(examples.where)
        for value, tags in zip(examples.sources, examples.targets):
            if source_type == "numbers":
                assert value.dtype == np.float32 and value.ndim == 2
                assert np.all(np.isfinite(value))
            else:
                assert isinstance(value, str)
            if target_type == "tags":
                assert all(isinstance(t, (str, int)) for t in tags)
            elif target_type == "label":
                assert isinstance(tags, (str, int))


times = st.one_of(
    st.integers(),
    st.floats(),
    st.sampled_from(["2020-01-31", "2020-01", "0001-01-01T00:00+01:00", "9999-12-31T23:00-05:00"]),
    st.sampled_from(["2020-02-30", "", "x", "1e400", 10**400]),
    st.dates().map(str),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
)


@shared_folder
@given(
    suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]),
    timed=st.booleans(),
    rows=st.lists(
        st.fixed_dictionaries({"a": cells | st.floats(-1e3, 1e3), "b": times}), max_size=40
    ),
)
@example(suffix=".csv", timed=True, rows=[{"a": 1.0, "b": "0001-01-01T00:00+01:00"}] * 9)
@example(suffix=".jsonl", timed=False, rows=[{"a": 10**400, "b": 1}] * 9)
@example(suffix=".jsonl", timed=True, rows=[{"a": 1.0, "b": 10**400}] * 9)
def test_a_series_is_read_or_a_data_error_names_the_file(tmp_path, suffix, timed, rows):
    path = tmp_path / f"series{suffix}"
    kept = write_rows(path, rows)
    config = files_config(path, source={"column": "a", "time": "b" if timed else None}, window=2)
    source, _ = resolve_columns(config, None, source_type="numbers")
    result = read_within_bound(read_series, config, source)
    if isinstance(result, DataError):
        assert str(result).startswith(str(path)), str(result)
        return
    values = np.concatenate([result.values[split] for split in ("train", "validation", "test")])
    assert values.dtype == np.float32 and np.all(np.isfinite(values))
    assert len(values) == kept


def test_a_file_name_too_long_for_the_os_is_no_such_file(tmp_path):
    # Path.is_file raised OSError (File name too long) for these, a traceback.
    name = str(tmp_path / ("a" * 300 + ".csv"))
    config = files_config(name, source={"column": "a"}, target={"column": "b"})
    source, target = resolve_columns(config, "label")
    with pytest.raises(ConfigError, match=r"^data\.files\.train: no such file '/"):
        read_examples(config, source, target, smoke=False)
    series_source, _ = resolve_columns(config, None, source_type="numbers")
    with pytest.raises(ConfigError, match=r"^data\.files\.train: no such file '/"):
        read_series(config, series_source)
    assert image_problem(pathlib.Path(name)) == "no such file"
    encoder = from_dict(ImageEncoderConfig, {"weights": name}, source="test")
    with pytest.raises(ConfigError, match=r"^model\.image_encoder\.weights: no such file '/"):
        check_encoder_weights(encoder, (32, 32))
