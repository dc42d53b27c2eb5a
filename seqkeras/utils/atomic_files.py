"""Files that appear whole or not at all: written beside, then renamed into place."""

import contextlib
import os
import pathlib
from typing import Iterator
from typing import Optional


@contextlib.contextmanager
def replaced_atomically(path, *, temporary=None, fsync: bool = False) -> Iterator[pathlib.Path]:
    """Yield a temporary path beside `path`; when the block ends, rename it over `path`.

    A reader of `path` sees the old file or the new one, never half of one
    (`os.replace` is atomic within a file system). If the block raises, the
    temporary file is removed and `path` is left as it was.

    Args:
        path: The file to write.
        temporary: The temporary path (beside `path`, where a writer such
            as Keras wants a suffix). Defaults to `path` with `.tmp` added.
        fsync: Whether to flush the file's data to disk before the rename,
            so that a power cut cannot leave the new name on old data.
    """
    path = pathlib.Path(path)
    temporary = pathlib.Path(temporary) if temporary else path.with_name(path.name + ".tmp")
    try:
        yield temporary
        if fsync:
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_text_atomically(path, text: str, temporary: Optional[os.PathLike] = None) -> None:
    """Write `text` (UTF-8) to `path` through `replaced_atomically`."""
    with replaced_atomically(path, temporary=temporary) as written:
        written.write_text(text, encoding="utf-8")
