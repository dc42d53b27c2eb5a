"""A temporary folder of this process's own, and the removal of those killed processes left.

TensorFlow's AutoGraph writes the source of each converted function as
`__autograph_generated_file*.py` in the system's temporary folder and removes
them at exit; a process killed with `kill -9` never gets there. Each seqkeras
command that runs TensorFlow writes its temporary files in
`$TMPDIR/seqkeras-<pid>/` instead, and removes the folders of processes that
are gone.
"""

import atexit
import os
import re
import shutil
import tempfile

_FOLDER = re.compile(r"seqkeras-(\d+)")


def use_process_temporary_folder() -> str:
    """Point `tempfile` at `$TMPDIR/seqkeras-<pid>/` after removing dead processes' ones.

    Returns:
        The folder, removed again when the process exits.
    """
    base = tempfile.gettempdir()
    name = f"seqkeras-{os.getpid()}"
    if os.path.basename(base) == name and os.path.isdir(base):
        return base  # a second command in this process (`main` called again)
    remove_dead_processes_folders(base)
    folder = os.path.join(base, name)
    os.makedirs(folder, exist_ok=True)
    tempfile.tempdir = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def remove_dead_processes_folders(base: str) -> None:
    """Remove the `seqkeras-<pid>` folders in `base` whose process is gone."""
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        found = _FOLDER.fullmatch(name)
        if found and not _alive(int(found.group(1))):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True
