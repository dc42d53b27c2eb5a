"""Whether a path the user named is a regular file to read, asked without opening it."""

import os
import stat
from typing import Optional


def file_problem(path) -> Optional[str]:
    """Why `path` is not a regular file to read, or `None`.

    The file is never opened: reading a FIFO would block until a writer
    comes, and a device such as `/dev/zero` never ends.

    Returns:
        `"no such file"`, `"is a directory, expected a file"`, `"is not a
        regular file (a FIFO, socket or device)"`, or `None`.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, a name too long, a NUL byte
        return "no such file"
    if stat.S_ISDIR(mode):
        return "is a directory, expected a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device)"
    return None
