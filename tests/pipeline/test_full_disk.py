"""A disk that fills during a run: one line, exit 1, no crash, and the rerun resumes.

HDF5 crashed the process (a segmentation fault) when the disk filled under
it while an epoch was backed up; the room is now checked before each write.
The real case runs on a small tmpfs where this machine lets the tests mount
one (as root); elsewhere it is skipped, and the checks are tested directly.
"""

import errno
import os
import pathlib
import shutil
import subprocess

import keras
import pytest

from seqkeras.pipeline.run_folders import epoch_backup
from tests.helpers import run_seqkeras

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()[:100]})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.slow
def test_a_full_disk_stops_the_run_in_one_line_and_the_rerun_resumes(small_disk, built):
    built("digits_rows")
    command = ["run", "pipelines/digits_rows.yaml", "--smoke", "--output-dir", str(small_disk)]
    data = {"SEQKERAS_DATA_DIR": str(built.data_dir)}
    full = run_seqkeras(*command, cwd=ROOT, env_extra=data)
    assert full.returncode == 1, full.stderr[-3000:]  # not 139, a crash
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith("seqkeras run: error: no space left on device: " + str(small_disk))
    assert "free some space and run the same command again" in last
    assert "Traceback" not in full.stderr
    assert not list(small_disk.rglob(".export.*"))

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = run_seqkeras(*command, cwd=ROOT, env_extra=data)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming the unfinished run" in again.stderr
    assert (next(small_disk.glob("digits_rows/*-smoke")) / "export" / "saved_model.pb").is_file()


def test_weights_are_not_written_where_they_do_not_fit(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    needed = epoch_backup.weights_file_bytes(model)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(
        epoch_backup.shutil, "disk_usage", lambda path: usage._replace(free=needed - 1)
    )
    path = tmp_path / "epoch-0001.weights.h5"
    with pytest.raises(OSError) as raised:
        epoch_backup.save_weights_atomically(model, path)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    assert os.listdir(tmp_path) == []  # nothing half-written
