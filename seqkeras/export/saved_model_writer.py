"""Writing a SavedModel atomically: all of it, checked, or nothing."""

import json
import os
import shutil
import tempfile
from typing import Callable, Dict, Optional

import tensorflow as tf

INFO_FILE = "seqkeras_export.json"


def write_saved_model(
    module: tf.Module,
    path: str,
    signatures: Dict[str, Callable],
    *,
    check: Optional[Callable[[str], None]] = None,
    info: Optional[dict] = None,
) -> str:
    """Save `module` to `path` through a temporary directory.

    The SavedModel is written next to `path`, `check(temporary_path)` runs
    on it (it raises to reject the export), `info` is written as
    `seqkeras_export.json`, and only then does the directory take its final
    name, replacing an earlier export there. On any failure the temporary
    directory is removed and an earlier export at `path` stays as it was.

    Returns:
        The absolute path of the export.
    """
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", dir=parent)
    # mkdtemp makes the directory private; give it the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    try:
        tf.saved_model.save(module, staging, signatures=signatures)
        if check is not None:
            check(staging)
        with open(os.path.join(staging, INFO_FILE), "w", encoding="utf-8") as handle:
            json.dump(info or {}, handle, indent=2, sort_keys=True)
        _replace_directory(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def read_export_info(path: str) -> dict:
    """The `info` an export was written with (kind, signatures, options)."""
    with open(os.path.join(path, INFO_FILE), encoding="utf-8") as handle:
        return json.load(handle)


def _replace_directory(source: str, target: str) -> None:
    if not os.path.exists(target):
        os.rename(source, target)
        return
    # A directory cannot be renamed over a non-empty one: move the old
    # export aside first, so that `target` is always a complete export.
    retired = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.old.", dir=os.path.dirname(target))
    os.rmdir(retired)
    os.rename(target, retired)
    try:
        os.rename(source, target)
    except BaseException:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)
