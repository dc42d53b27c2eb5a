import os
import subprocess
import sys

import pytest

from seqkeras.version import __version__


def run_cli(*args, timeout=600):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "seqkeras", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_no_command_prints_help():
    result = run_cli()
    assert result.returncode == 0
    assert "demo" in result.stdout and "usage: seqkeras" in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"seqkeras {__version__}"


def test_user_error_exits_2_with_a_message_and_no_traceback():
    result = run_cli("demo", "--epochs", "0")
    assert result.returncode == 2
    assert "`--epochs`: expected a positive integer, got 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_exits_2():
    result = run_cli("trian")
    assert result.returncode == 2
    assert "invalid choice: 'trian'" in result.stderr


def test_datasets_lists_the_built_in_catalogue():
    result = run_cli("datasets")
    assert result.returncode == 0, result.stderr[-2000:]
    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert names == [
        "digits_rows",
        "digit_captions",
        "dates",
        "cmudict",
        "text",
        "word_boundaries",
        "sunspots",
        "co2",
    ]


@pytest.mark.slow
def test_demo_trains_every_topology():
    result = run_cli("demo", "--epochs", "3")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line.split() for line in result.stdout.splitlines()[1:] if line.strip()]
    assert [row[0] for row in rows] == ["many-to-one", "many-to-many", "seq2seq", "one-to-many"]
    for row in rows:
        before, after = float(row[-4]), float(row[-3])
        assert after < before, row
