"""The run folder's life cycle: locks, resuming after a kill, torn backups, bad output dirs.

The end-to-end tests run the real `python -m seqkeras run` in subprocesses and
stop or kill it with real signals at points they wait for on disk.
"""

import csv
import json
import logging
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.run_folders.epoch_backup import EpochBackup
from seqkeras.pipeline.run_folders.epoch_backup import restore_backup
from seqkeras.pipeline.run_folders.epoch_backup import truncate_log
from seqkeras.pipeline.run_folders.folder_life import check_output_dir
from seqkeras.pipeline.run_folders.lock import RunLock
from tests.helpers import run_folders

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHORT_DIGITS = ["--set", "data.limit=320", "--set", "model.units=16"]


def run_command(output, epochs):
    return [
        sys.executable,
        "-m",
        "seqkeras",
        "run",
        "pipelines/digits_rows.yaml",
        "--output-dir",
        str(output),
        "--set",
        f"train.epochs={epochs}",
        "--set",
        "train.early_stopping.patience=null",
        *SHORT_DIGITS,
    ]


class Run:
    """A `seqkeras run` subprocess whose output goes to files (no pipe to fill)."""

    def __init__(self, command, data_dir, logs: pathlib.Path, env_extra=None):
        self.out, self.err = logs.with_suffix(".out"), logs.with_suffix(".err")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SEQKERAS_DATA_DIR=str(data_dir))
        env.update(env_extra or {})
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)

    def wait_for(self, found, what, timeout=300):
        """Poll until `found()` gives something; fail if the run ends first."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = found()
            if value:
                return value
            assert self.process.poll() is None, f"ended before {what}: {self.stderr()[-2000:]}"
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    def finish(self, timeout=600) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stdout(self) -> str:
        return self.out.read_text()

    def stderr(self) -> str:
        return self.err.read_text()


def partial_with(output, relative):
    """The `.partial` run folder holding `relative`, once there is one."""
    for found in output.glob(f"digits_rows/*.partial/{relative}"):
        return found.parents[len(pathlib.PurePath(relative).parts) - 1]
    return None


def logged_epochs(run_dir):
    rows = list(csv.reader((run_dir / "logs/training.csv").read_text().splitlines()))
    return [int(row[0]) for row in rows[1:]]


def finished(output):
    return run_folders(output / "digits_rows")


def assert_clean_and_complete(run_dir):
    for artifact in ["metrics.json", "model.keras", "export/saved_model.pb", "plots"]:
        assert (run_dir / artifact).exists(), artifact
    leftovers = [
        p.name
        for p in run_dir.iterdir()
        if p.name.startswith(".export.")
        or p.name in ("run.lock", "backup", "trained.weights.h5")
        or ".tmp" in p.name
    ]
    assert leftovers == []


@pytest.fixture
def data_dir(built):
    built("digits_rows")
    return built.data_dir


# Case 1: two runs of one pipeline into one --output-dir.


@pytest.mark.slow
def test_a_live_runs_folder_is_left_to_it_and_the_second_run_writes_its_own(tmp_path, data_dir):
    output = tmp_path / "runs"
    first = Run(run_command(output, 3), data_dir, tmp_path / "first")
    try:
        first_dir = first.wait_for(lambda: partial_with(output, "config.yaml"), "its folder")
        first.process.send_signal(signal.SIGSTOP)  # alive, but going nowhere
        lock = json.loads((first_dir / "run.lock").read_text())
        assert lock["pid"] == first.process.pid

        second = Run(run_command(output, 3), data_dir, tmp_path / "second")
        assert second.finish() == 0, second.stderr()[-3000:]
        message = f"{first_dir} is being written by process {first.process.pid} on "
        assert message in second.stderr()
        [second_dir] = finished(output)
        assert second_dir.name != first_dir.name[: -len(".partial")]
        assert logged_epochs(second_dir) == [0, 1, 2]
        assert first_dir.is_dir()  # untouched, still the first run's
    finally:
        first.process.send_signal(signal.SIGCONT)
    assert first.finish() == 0, first.stderr()[-3000:]
    runs = finished(output)
    assert first_dir.with_name(first_dir.name[: -len(".partial")]) in runs and len(runs) == 2
    for run_dir in runs:
        assert logged_epochs(run_dir) == [0, 1, 2]
        assert_clean_and_complete(run_dir)


@pytest.mark.slow
def test_two_runs_started_together_each_finish_in_a_folder_of_their_own(tmp_path, data_dir):
    output = tmp_path / "runs"
    runs = [Run(run_command(output, 3), data_dir, tmp_path / f"run{i}") for i in range(2)]
    for run in runs:
        assert run.finish() == 0, run.stderr()[-3000:]
    folders = finished(output)
    assert len(folders) == 2
    assert not list((output / "digits_rows").glob("*.partial"))
    for run_dir in folders:
        assert logged_epochs(run_dir) == [0, 1, 2]
        assert_clean_and_complete(run_dir)


# Case 2: killed after training, during evaluation or export.


@pytest.mark.slow
@pytest.mark.parametrize(
    "stage, sign", [("evaluation", "trained.weights.h5"), ("export", "metrics.json")]
)
def test_a_run_killed_after_training_resumes_at_evaluation(stage, sign, tmp_path, data_dir):
    output = tmp_path / "runs"
    command = run_command(output, 3)
    first = Run(command, data_dir, tmp_path / "first")
    run_dir = first.wait_for(lambda: partial_with(output, sign), sign)
    first.kill()
    assert "Epoch 3/3" in first.stdout()
    assert (run_dir / "trained.weights.h5").is_file()
    assert json.loads((run_dir / "run.lock").read_text())["pid"] == first.process.pid  # stale
    if not list(run_dir.glob(".export.*")):
        # What a kill inside the SavedModel writer leaves: its staging directory.
        (run_dir / ".export.cut_short").mkdir()

    rerun = Run(command, data_dir, tmp_path / "rerun")
    assert rerun.finish() == 0, rerun.stderr()[-3000:]
    assert "Epoch " not in rerun.stdout()  # no epoch trained again
    assert "training had finished; going on to evaluation" in rerun.stderr()
    [final] = finished(output)
    assert final.name == run_dir.name[: -len(".partial")]
    assert logged_epochs(final) == [0, 1, 2]  # each epoch once
    assert_clean_and_complete(final)


# Case 3: a torn backup.


@pytest.mark.slow
def test_a_torn_backup_falls_back_to_the_one_before(tmp_path, data_dir):
    output = tmp_path / "runs"
    command = run_command(output, 20)
    first = Run(command, data_dir, tmp_path / "first")
    run_dir = first.wait_for(
        lambda: partial_with(output, "backup/epoch-0002.weights.h5"), "the second backup"
    )
    first.kill()
    backups = sorted((run_dir / "backup").glob("epoch-*.weights.h5"))
    assert len(backups) == 2, backups
    newest = backups[-1]
    done = int(newest.name[len("epoch-") : -len(".weights.h5")])
    assert done < 20
    with open(newest, "r+b") as handle:  # a write cut short
        handle.truncate(os.path.getsize(newest) // 2)

    rerun = Run(command, data_dir, tmp_path / "rerun")
    assert rerun.finish() == 0, rerun.stderr()[-3000:]
    assert f"{newest} cannot be read" in rerun.stderr()
    epochs_shown = [line for line in rerun.stdout().splitlines() if line.startswith("Epoch ")]
    assert epochs_shown[0] == f"Epoch {done}/20"  # after the backup before the torn one
    [final] = finished(output)
    assert final.name == run_dir.name[: -len(".partial")]
    assert logged_epochs(final) == list(range(20))
    assert_clean_and_complete(final)


# Case 4: an --output-dir that cannot hold run folders.


@pytest.mark.parametrize("kind", ["file", "under_a_file", "read_only"])
def test_an_output_dir_that_cannot_hold_runs_exits_2_naming_it(kind, tmp_path, data_dir):
    prefix = []
    if kind == "read_only":
        (tmp_path / "read-only").mkdir(mode=0o555)
        output = tmp_path / "read-only" / "runs"
        if os.geteuid() == 0:  # root writes anywhere: drop the capabilities that let it
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE")
            prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
        problem = "is not writable by this user"
    else:
        (tmp_path / "taken").write_text("a file\n")
        output = tmp_path / "taken" if kind == "file" else tmp_path / "taken" / "runs"
        problem = "is a file, not a directory"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SEQKERAS_DATA_DIR=str(data_dir))
    try:
        result = subprocess.run(
            [*prefix, *run_command(output, 3)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        if kind == "read_only":
            output.parent.chmod(0o755)
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"seqkeras run: error: --output-dir: '{output}'" in result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.stderr
    assert "Epoch" not in result.stdout  # nothing trained
    assert not (output / "digits_rows").exists()


def test_check_output_dir_names_the_path(tmp_path):
    (tmp_path / "taken").write_text("")
    with pytest.raises(ConfigError, match=r"'.*th0' \('.*th0/taken'\) is a file, not a directory"):
        check_output_dir(tmp_path, "taken")  # runs/<name> is the file
    check_output_dir(tmp_path / "new" / "deeper", "name")  # made later
    assert not (tmp_path / "new").exists()


# The parts, in process.


def _sleeper():
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def _write_lock(run_dir, **values):
    (run_dir / "run.lock").write_text(json.dumps(values))


def test_a_lock_is_taken_over_only_from_a_dead_owner(tmp_path):
    lock = RunLock.create(tmp_path)
    with pytest.raises(FileExistsError):
        RunLock.create(tmp_path)
    assert lock.owner().pid == os.getpid()
    lock.release()
    assert not lock.path.exists()

    sleeper = _sleeper()
    try:
        _write_lock(tmp_path, pid=sleeper.pid, host=socket.gethostname())
        holder = lock.take_over()
        assert holder is not None and holder.pid == sleeper.pid
    finally:
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()
    assert lock.take_over() is None  # the owner is gone
    assert lock.owner().pid == os.getpid()

    _write_lock(tmp_path, pid=1, host="another-host")
    assert lock.take_over().host == "another-host"  # cannot be checked from here
    _write_lock(tmp_path, pid=os.getpid(), host=socket.gethostname(), started=1)
    assert lock.take_over() is None  # the pid was given to another process since
    lock.path.write_text("")
    assert lock.take_over().pid == -1  # unreadable: left to the user
    lock.path.unlink()
    assert lock.take_over() is None  # a folder from before locks: taken


def test_racing_take_overs_of_a_dead_owners_lock_have_one_winner(tmp_path):
    import threading

    sleeper = _sleeper()
    sleeper.send_signal(signal.SIGKILL)
    sleeper.wait()
    lock = RunLock(tmp_path)
    _write_lock(tmp_path, pid=sleeper.pid, host=socket.gethostname())
    start, results = threading.Barrier(8), []

    def take_over():
        start.wait()
        results.append(lock.take_over())

    threads = [threading.Thread(target=take_over) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Each open file has its own flock, so threads race as processes do; the
    # losers find the winner (this process) alive.
    assert results.count(None) == 1
    assert [r.pid for r in results if r is not None] == [os.getpid()] * 7


def _tiny_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_backups_are_kept_two_deep_and_a_torn_one_falls_back(tmp_path, caplog):
    x, y = np.ones((8, 3)), np.zeros((8, 2))
    model = _tiny_model()
    model.fit(x, y, epochs=3, verbose=0, callbacks=[EpochBackup(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "epoch-0002.weights.h5",
        "epoch-0003.weights.h5",
    ]
    restored = _tiny_model()
    assert restore_backup(restored, tmp_path) == 3
    np.testing.assert_array_equal(restored.get_weights()[0], model.get_weights()[0])
    assert int(restored.optimizer.iterations) == int(model.optimizer.iterations)

    newest = tmp_path / "epoch-0003.weights.h5"
    newest.write_bytes(newest.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING, logger="seqkeras"):
        assert restore_backup(_tiny_model(), tmp_path) == 2
    assert f"{newest} cannot be read" in caplog.text
    assert not newest.exists()

    older = tmp_path / "epoch-0002.weights.h5"
    older.write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="seqkeras"):
        assert restore_backup(_tiny_model(), tmp_path) == 0
    assert "holds no readable backup: training starts again at epoch 1" in caplog.text


def test_truncate_log_keeps_the_restored_epochs(tmp_path):
    log = tmp_path / "training.csv"
    # Rows logged twice (by an earlier seqkeras): the later one stays.
    log.write_text("epoch,loss\n0,1.0\n1,0.5\n2,0.4\n0,0.9\n1,0.45\n")
    truncate_log(log, 2)
    assert log.read_text() == "epoch,loss\n0,0.9\n1,0.45\n"
    truncate_log(log, 0)
    assert not log.exists()
