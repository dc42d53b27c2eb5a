"""Directories, FIFOs and devices named where a file is read: named as such, never opened.

Reading a FIFO blocks until a writer comes and `/dev/zero` never ends, so
each case runs under an alarm that turns a hang into a failure.
"""

import os
import re
import signal

import pytest

from seqkeras.data.readers import read_csv
from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.commands.prediction_inputs import read_examples
from seqkeras.pipeline.config.loading import load_config


@pytest.fixture
def special(tmp_path, request):
    """A directory, a FIFO, or /dev/zero, and the words its message has."""
    kind = request.param
    if kind == "directory":
        path = tmp_path / "thing.csv"
        path.mkdir()
        return str(path), "is a directory, expected a file"
    if kind == "fifo":
        path = tmp_path / "thing.csv"
        os.mkfifo(path)
        return str(path), "is not a regular file (a FIFO, socket or device)"
    return "/dev/zero", "is not a regular file (a FIFO, socket or device)"


def within_seconds(seconds, function, *args):
    def hang(signum, frame):
        raise AssertionError(f"blocked for {seconds} s reading a special file")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        return function(*args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


KINDS = ["directory", "fifo", "dev_zero"]


@pytest.mark.parametrize("special", KINDS, indirect=True)
def test_a_data_file(special):
    path, words = special
    with pytest.raises(DataError, match=rf"^{re.escape(path)}: {re.escape(words)}"):
        within_seconds(10, read_csv, path, ["text"])


@pytest.mark.parametrize("special", KINDS, indirect=True)
def test_a_pipeline_file_and_an_include(special, tmp_path):
    path, words = special
    with pytest.raises(ConfigError, match=rf"^{re.escape(path)}: {re.escape(words)}"):
        within_seconds(10, load_config, path)
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(f"include: [{path}]\n")
    named = f"{pipeline}: include.0: '{path}' ({path}): {words}."
    with pytest.raises(ConfigError, match=f"^{re.escape(named)}$"):
        within_seconds(10, load_config, pipeline)


@pytest.mark.parametrize("special", KINDS, indirect=True)
def test_a_predict_input(special):
    path, words = special
    with pytest.raises(DataError, match=rf"^{re.escape(path)}: {re.escape(words)}; give \.npy"):
        within_seconds(10, read_examples, [path], (2,))
