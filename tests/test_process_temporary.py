"""Temporary files of a killed command (AutoGraph's sources) are removed by the next one."""

import os
import signal
import subprocess
import sys
import textwrap

from seqkeras.utils.process_temporary import remove_dead_processes_folders
from tests.helpers import run_seqkeras

KILLED = textwrap.dedent(
    """
    import os, signal, tempfile
    from seqkeras.utils.process_temporary import use_process_temporary_folder
    folder = use_process_temporary_folder()
    # What AutoGraph writes for each function it converts, removed only at exit.
    tempfile.NamedTemporaryFile(prefix="__autograph_generated_file", suffix=".py", delete=False)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_killed_command_s_folder_is_removed_by_the_next_command(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    killed = subprocess.run([sys.executable, "-c", KILLED], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    [left] = tmp_path.iterdir()
    assert left.name == f"seqkeras-{left.name.split('-')[1]}"
    assert [p.name.startswith("__autograph_generated_file") for p in left.iterdir()] == [True]
    # Any command that runs TensorFlow tidies first, even one that then stops at once.
    result = run_seqkeras(
        "evaluate", "no-such-run", cwd=tmp_path, env_extra={"TMPDIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert list(tmp_path.iterdir()) == []  # and its own folder went at exit


def test_a_live_process_s_folder_is_kept(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / f"seqkeras-{sleeper.pid}").mkdir()
        (tmp_path / "seqkeras-notes").mkdir()  # not a process's: not touched
        remove_dead_processes_folders(str(tmp_path))
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["seqkeras-notes", f"seqkeras-{sleeper.pid}"]
        )
    finally:
        sleeper.kill()
        sleeper.wait()
    remove_dead_processes_folders(str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["seqkeras-notes"]


def test_a_second_command_in_the_same_process_keeps_the_one_folder(tmp_path, monkeypatch):
    import tempfile

    from seqkeras.utils.process_temporary import use_process_temporary_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = use_process_temporary_folder()
    assert use_process_temporary_folder() == first == str(tmp_path / f"seqkeras-{os.getpid()}")
    assert tempfile.gettempdir() == first
