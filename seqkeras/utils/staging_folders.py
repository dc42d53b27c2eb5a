"""Folders written beside their final place, and the ones a killed writer left behind."""

import contextlib
import fcntl
import glob
import os
import shutil
import tempfile
from typing import Iterator


@contextlib.contextmanager
def staging_folder(path) -> Iterator[str]:
    """Yield a new folder `.<name>.XXXX` beside `path`, locked while the block runs.

    The lock (`flock` on the folder itself) is released when the block ends
    or the process dies, `kill -9` included: `remove_stale_staging` then
    knows the folder is no one's. The folder is removed if the block raises;
    renaming it into place is the block's work.
    """
    parent, name = os.path.split(os.path.abspath(os.fspath(path)))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{name}.", dir=parent)
    # mkdtemp makes the folder private; give it the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    descriptor = os.open(staging, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        os.close(descriptor)


def remove_stale_staging(path) -> None:
    """Remove the `.<name>.*` folders beside `path` that no live writer holds.

    What a killed export left (its staging folder, or the previous export
    moved aside) would otherwise stay in the run folder for good.
    """
    parent, name = os.path.split(os.path.abspath(os.fspath(path)))
    for candidate in glob.glob(os.path.join(glob.escape(parent), f".{glob.escape(name)}.*")):
        if os.path.islink(candidate) or not os.path.isdir(candidate):
            continue
        try:
            descriptor = os.open(candidate, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)  # a live writer holds it
            continue
        try:
            shutil.rmtree(candidate, ignore_errors=True)
        finally:
            os.close(descriptor)
