"""Staging folders: a killed writer's folder is removed by the next writer, a live one kept."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from seqkeras.utils.staging_folders import remove_stale_staging
from seqkeras.utils.staging_folders import staging_folder

WRITER = textwrap.dedent(
    """
    import sys, time
    from seqkeras.utils.staging_folders import staging_folder
    with staging_folder(sys.argv[1]) as staging:
        open(staging + "/saved_model.pb", "w").write("half")
        print(staging, flush=True)
        time.sleep(600)
    """
)


def start_writer(path):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    return writer, writer.stdout.readline().strip()


def test_a_live_writer_s_folder_is_kept_and_a_killed_one_s_removed(tmp_path):
    export = tmp_path / "run" / "export"
    writer, staging = start_writer(export)
    try:
        assert os.path.basename(staging).startswith(".export.")
        remove_stale_staging(export)
        assert os.path.isdir(staging)  # its writer is alive: not stale
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert os.path.isdir(staging)  # what kill -9 leaves
    (tmp_path / "run" / ".exported-notes.1").mkdir()  # another name's: not touched
    remove_stale_staging(export)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [".exported-notes.1"]


def test_a_block_that_raises_leaves_no_folder(tmp_path):
    with pytest.raises(RuntimeError):
        with staging_folder(tmp_path / "export") as staging:
            open(os.path.join(staging, "part"), "w").close()
            raise RuntimeError("the check failed")
    assert list(tmp_path.iterdir()) == []
