"""A temporary folder of this process's own, and the removal of those killed processes left.

TensorFlow's AutoGraph writes the source of each converted function as
`__autograph_generated_file*.py` in the system's temporary folder and removes
them at exit; a process killed with `kill -9` never gets there. Each seqkeras
command that runs TensorFlow writes its temporary files in
`$TMPDIR/seqkeras-<pid>/` instead, and removes the folders of processes that
are gone. `temporary_files_inside` does the same for one library call, such as
tensorflow-datasets' building, which leaves empty folders behind.
"""

import atexit
import contextlib
import os
import re
import shutil
import tempfile
from typing import Optional

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


@contextlib.contextmanager
def temporary_files_inside(folder: Optional[str] = None):
    """`tempfile`'s files go in a new folder (in `folder`, else the system's), removed after.

    tensorflow-datasets makes a temporary folder while it reads a dataset's
    info and never removes it; inside this, nothing stays behind.

    Yields:
        Why `folder` cannot be written (the new folder is then the system's),
        or `None`.
    """
    problem = None
    try:
        if folder is None:
            scratch = tempfile.mkdtemp(prefix="seqkeras-scratch-")
        else:
            os.makedirs(folder, exist_ok=True)
            scratch = tempfile.mkdtemp(prefix=".scratch-", dir=folder)
    except OSError as error:  # a read-only folder: its files go in the system's
        problem = error.strerror or type(error).__name__
        scratch = tempfile.mkdtemp(prefix="seqkeras-scratch-")
    saved, tempfile.tempdir = tempfile.tempdir, scratch
    try:
        yield problem
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(scratch, ignore_errors=True)
