"""Ctrl-C (SIGINT) during a run: one line saying how to resume, exit code 130 (issue #14).

The real `python -m seqkeras` runs in a subprocess and gets a real SIGINT at a
point the test waits for on disk; the same command then resumes the run. A
run with `--workers` gets the signal as a terminal sends it, to its whole
process group, or SIGTERM to the launcher alone (`kill PID`), and must leave
no worker behind.
"""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.commands.finished_run import evaluate_run
from seqkeras.pipeline.commands.finished_run import export_run
from seqkeras.pipeline.commands.prediction import predict_run
from seqkeras.pipeline.training import launcher
from tests.pipeline.test_run_folder_life import ROOT
from tests.pipeline.test_run_folder_life import SHORT_DIGITS
from tests.pipeline.test_run_folder_life import Run
from tests.pipeline.test_run_folder_life import finished
from tests.pipeline.test_run_folder_life import logged_epochs
from tests.pipeline.test_run_folder_life import partial_with

EPOCHS = 5  # enough left after epoch 1 that the signal lands during training


#: Runs the rest of its command line with SIGINT at its default, as a terminal's
#: foreground job has it. A test suite started as a background job (`make test &`)
#: hands its children SIGINT ignored, and a Python started so never raises
#: KeyboardInterrupt: the signal would be lost and the test fail for a reason
#: of its caller's.
AS_FOREGROUND_JOB = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]


def train_command(output, *extra):
    # `train` (no export) keeps the test short; it shares run's code path.
    return [
        *AS_FOREGROUND_JOB,
        sys.executable,
        "-m",
        "seqkeras",
        "train",
        "pipelines/digits_rows.yaml",
        "--output-dir",
        str(output),
        "--set",
        f"train.epochs={EPOCHS}",
        "--set",
        "train.early_stopping.patience=null",
        *SHORT_DIGITS,
        *extra,
    ]


@pytest.fixture
def data_dir(built):
    built("digits_rows")
    return built.data_dir


@pytest.mark.slow
def test_sigint_during_training_says_how_to_resume_and_the_same_command_does(tmp_path, data_dir):
    output = tmp_path / "runs"
    command = train_command(output)
    first = Run(command, data_dir, tmp_path / "first")
    run_dir = first.wait_for(
        lambda: partial_with(output, "backup/epoch-0001.weights.h5"), "epoch 1"
    )
    first.process.send_signal(signal.SIGINT)
    assert first.finish() == 130, first.stderr()[-3000:]

    stderr = first.stderr()
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    last = stderr.strip().splitlines()[-1]
    found = re.fullmatch(
        rf"seqkeras train: interrupted; rerun the same command to resume {re.escape(str(run_dir))} "
        r"after epoch (\d+), its last backed-up epoch\.",
        last,
    )
    assert found, last
    assert stderr.count("interrupted") == 1
    done = int(found.group(1))
    assert 1 <= done < EPOCHS
    assert not (run_dir / "run.lock").exists()  # released on the way out

    # What the interrupted run left is refused by the commands that need a finished one.
    for refuse in (evaluate_run, export_run, lambda d: predict_run(d, ["x"])):
        with pytest.raises(
            ConfigError, match=r"an unfinished run .* rerun the same `seqkeras run`"
        ):
            refuse(run_dir)

    rerun = Run(command, data_dir, tmp_path / "rerun")
    assert rerun.finish() == 0, rerun.stderr()[-3000:]
    assert f"resuming training after epoch {done}." in rerun.stderr()
    shown = [line for line in rerun.stdout().splitlines() if line.startswith("Epoch ")]
    assert shown[0] == f"Epoch {done + 1}/{EPOCHS}"
    [final] = finished(output)
    assert final.name == run_dir.name[: -len(".partial")]
    assert logged_epochs(final) == list(range(EPOCHS))  # each epoch once
    assert (final / "metrics.json").is_file() and not (final / "run.lock").exists()


def test_workers_start_with_sigint_ignored_and_the_launcher_keeps_its_handler(capsys):
    program = [sys.executable, "-c", "import signal; print(int(signal.getsignal(signal.SIGINT)))"]
    handler = signal.getsignal(signal.SIGINT)
    launcher.launch_workers([], 2, grace_seconds=5, program=program)
    out = capsys.readouterr().out
    assert f"] {int(signal.SIG_IGN)}\n" in out and out.count(f"] {int(signal.SIG_IGN)}\n") == 2
    assert signal.getsignal(signal.SIGINT) is handler


#: How each signal reaches a launcher, and the one line it leaves.
STOPPED_LAUNCHERS = {
    # A terminal signals its foreground job's whole process group.
    "ctrl-c": (
        lambda pid: os.killpg(pid, signal.SIGINT),
        130,
        "seqkeras train: interrupted; the 2 workers were stopped. Rerun the same command to "
        "resume from the last finished epoch.",
    ),
    # `kill PID` signals the launcher alone: it must not leave its workers training.
    "kill": (
        lambda pid: os.kill(pid, signal.SIGTERM),
        143,
        "seqkeras train: stopped by SIGTERM; the 2 workers were stopped. Rerun the same "
        "command to resume from the last finished epoch.",
    ),
}


@pytest.mark.slow
@pytest.mark.xdist_group("loopback_cluster")
@pytest.mark.parametrize("how", sorted(STOPPED_LAUNCHERS))
def test_a_stopped_launcher_stops_every_worker(how, tmp_path, data_dir):
    send, exit_code, message = STOPPED_LAUNCHERS[how]
    output = tmp_path / "runs"
    out, err = tmp_path / "launcher.out", tmp_path / "launcher.err"
    command = train_command(output, "--workers", "2")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SEQKERAS_DATA_DIR=str(data_dir))
    with open(out, "w") as stdout, open(err, "w") as stderr:
        # A process group of its own, so that the test can signal it as a terminal would.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr, start_new_session=True
        )
    try:
        pids, deadline = None, time.monotonic() + 300
        while pids is None:
            assert process.poll() is None, err.read_text()[-3000:]
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.02)
            pids = _all_started(out.read_text(), 2)
        send(process.pid)
        assert process.wait(timeout=120) == exit_code, err.read_text()[-3000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # stopped and reaped by the launcher
    lines = err.read_text().strip().splitlines()
    assert "Traceback" not in err.read_text() and "KeyboardInterrupt" not in err.read_text()
    assert [line for line in lines if not line.startswith("[worker ")] == [message]


def _all_started(text, count):
    pids = [int(pid) for pid in re.findall(r"\[launcher\] worker \d+: pid (\d+)", text)]
    return pids if len(pids) == count else None


@pytest.mark.slow
def test_sigterm_during_training_says_how_to_resume_and_exits_143(tmp_path, data_dir):
    # `kill PID` (SIGTERM) ended a run silently, where Ctrl-C printed how to resume.
    output = tmp_path / "runs"
    first = Run(train_command(output), data_dir, tmp_path / "first")
    run_dir = first.wait_for(
        lambda: partial_with(output, "backup/epoch-0001.weights.h5"), "epoch 1"
    )
    first.process.send_signal(signal.SIGTERM)
    assert first.finish() == 128 + signal.SIGTERM, first.stderr()[-3000:]
    stderr = first.stderr()
    assert "Traceback" not in stderr
    assert re.fullmatch(
        rf"seqkeras train: stopped by SIGTERM; rerun the same command to resume "
        rf"{re.escape(str(run_dir))} after epoch \d+, its last backed-up epoch\.",
        stderr.strip().splitlines()[-1],
    ), stderr[-2000:]
    assert run_dir.is_dir() and not (run_dir / "run.lock").exists()
