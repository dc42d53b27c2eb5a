"""Any bytes given to `seqkeras predict` end in a result or a `DataError`, quickly.

Property tests (hypothesis, the profiles of tests/hypothesis_profiles.py) of
the readers of `predict`'s inputs: files of arrays (JSON, JSON Lines, CSV,
.npy, .npz), a forecaster's series, text arguments as the bytes a shell
passes, and image headers. Never another exception, never more than a
few seconds of CPU.
"""

import io
import pathlib
import time
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import example  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from seqkeras.data.images import image_problem  # noqa: E402
from seqkeras.errors import DataError  # noqa: E402
from seqkeras.pipeline.commands.prediction import _check_utf8_arguments  # noqa: E402
from seqkeras.pipeline.commands.prediction_inputs import read_examples  # noqa: E402
from seqkeras.pipeline.commands.prediction_inputs import read_windows  # noqa: E402

#: CPU seconds one read may take.
TIME_BOUND = 5.0
shared_folder = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

PIECES = [b"[", b"]", b",", b"1", b"-2.5", b"1e39", b"nan", b"NaN", b'"x"', b"null", b"{", b"}"]
PIECES += [b"\n", b"\r\n", b"\t", b" ", b"\xff", b"\x00", b"inf", b"0x10", b";", b"true"]
contents = st.one_of(
    st.binary(max_size=300), st.lists(st.sampled_from(PIECES), max_size=80).map(b"".join)
)
SUFFIXES = [".json", ".jsonl", ".csv", ".txt", ".npy", ".npz"]
SHAPES = [(2,), (None,), (3, 2), (None, 2)]


def within_bound(read, *args):
    started = time.thread_time()
    try:
        return read(*args)
    except DataError as error:
        return error
    finally:
        spent = time.thread_time() - started
        assert spent < TIME_BOUND, f"took {spent:.1f} s of CPU"


def npy_bytes(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npz_bytes(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.npy", data)
    return buffer.getvalue()


@shared_folder
@given(contents, st.sampled_from(SUFFIXES), st.sampled_from(SHAPES))
@example(b"[" * 10_000, ".json", (2,))
@example(npy_bytes(np.array([[1.0, np.nan]])), ".npy", (2,))
@example(npy_bytes(np.array(["a", "b"])), ".npy", (2,))
@example(npz_bytes(b"\x93NUMPY garbage"), ".npz", (2,))
@example(b"1,2\n3\n", ".csv", (None,))
def test_any_file_of_arrays_is_read_or_refused_naming_it(tmp_path, data, suffix, shape):
    path = tmp_path / f"inputs{suffix}"
    if suffix == ".npy" and data[:6] != b"\x93NUMPY":
        data = npy_bytes(np.frombuffer(data[: len(data) // 4 * 4], "float32"))
    if suffix == ".npz":
        data = npz_bytes(data)
    path.write_bytes(data)
    result = within_bound(read_examples, [str(path)], shape)
    if isinstance(result, DataError):
        assert str(result).startswith(str(path)), str(result)
        return
    names, examples = result
    assert examples.dtype == np.float32 and np.all(np.isfinite(examples))
    assert len(names) == len(examples) and all(n.startswith(str(path)) for n in names)


@shared_folder
@given(contents, st.sampled_from([".csv", ".json", ".txt"]), st.sampled_from([None, 1, 4]))
@example(b"1\n2\n1e39\n4\n", ".csv", 2)
def test_any_series_given_to_a_forecaster_is_read_or_refused_naming_it(
    tmp_path, data, suffix, window
):
    path = tmp_path / f"series{suffix}"
    path.write_bytes(data)
    result = within_bound(read_windows, [str(path)], window)
    if isinstance(result, DataError):
        assert str(result).startswith(str(path)), str(result)
        return
    _, windows = result
    assert windows.dtype == np.float32 and np.all(np.isfinite(windows))
    assert window is None or windows.shape[1] == window


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=4))
@example([b"good film", b"bad \xff\xfe film"])
def test_any_argument_bytes_are_taken_or_refused_naming_the_input(arguments):
    # What Python makes of a shell's argument bytes (sys.argv): surrogateescape.
    texts = [a.decode("utf-8", "surrogateescape") for a in arguments]
    result = within_bound(_check_utf8_arguments, texts)
    valid = [_is_utf8(a) for a in arguments]
    if isinstance(result, DataError):
        assert str(result).startswith(f"input {valid.index(False) + 1}: not valid UTF-8")
    else:
        assert all(valid)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


PNG = b"\x89PNG\r\n\x1a\n"


@shared_folder
@given(st.one_of(st.binary(max_size=200), st.binary(max_size=200).map(lambda b: PNG + b)))
@example(PNG + b"\x00\x00\x00\rIHDR\x00\x00N \x00\x00N \x08\x02\x00\x00\x00")
def test_any_image_file_is_usable_or_says_why(tmp_path, data):
    path = tmp_path / "image.png"
    path.write_bytes(data)
    started = time.thread_time()
    problem = image_problem(pathlib.Path(path))
    assert time.thread_time() - started < TIME_BOUND
    assert problem is None or isinstance(problem, str)
