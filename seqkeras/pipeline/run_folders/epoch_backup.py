"""Backups of the training state that a killed write cannot spoil.

Keras's `BackupAndRestore` writes `latest.weights.h5` in place, so a process
killed during that write leaves a torn file that every rerun fails to load,
and it deletes its backup when `fit` returns, before evaluation and export
have run. Here each epoch's weights (with the optimizer's state) are written
beside the last ones and renamed into place, the last two are kept, and
`restore_backup` takes the newest one that reads back whole.
"""

import csv
import errno
import io
import logging
import os
import pathlib
import re
import shutil
from typing import List
from typing import Optional

import h5py
import keras
import numpy as np

from seqkeras.utils.atomic_files import replaced_atomically
from seqkeras.utils.atomic_files import write_text_atomically

logger = logging.getLogger("seqkeras")

_BACKUP = re.compile(r"epoch-(\d+)\.weights\.h5")
_KEEP = 2


class EpochBackup(keras.callbacks.Callback):
    """Saves the weights and optimizer state after every epoch, atomically.

    The state after epoch `n` (1-based, as Keras prints it) is
    `directory/epoch-000n.weights.h5`; the two newest are kept. Nothing is
    deleted when training ends: the runner removes the directory once the
    trained weights are saved.

    Args:
        directory: Where the backups go (made when the first is written).

    Example:

    ```python
    backup = seqkeras.pipeline.run_folders.epoch_backup.EpochBackup("run/backup")
    initial_epoch = restore_backup(model, "run/backup")
    model.fit(x, y, epochs=10, initial_epoch=initial_epoch, callbacks=[backup])
    ```
    """

    def __init__(self, directory):
        super().__init__()
        self.directory = pathlib.Path(directory)

    def on_epoch_end(self, epoch, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        save_weights_atomically(self.model, self.directory / f"epoch-{epoch + 1:04d}.weights.h5")
        for old in _backups(self.directory)[_KEEP:]:
            old.unlink(missing_ok=True)


def restore_backup(model: keras.Model, directory) -> int:
    """Load the newest readable backup into `model`; return its epoch count.

    A backup that does not read back whole (a disk fault, or a file written
    by something else) is removed with a warning and the one before it is
    tried; with none left, training starts again from epoch 0. `model` must
    be compiled.
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        return 0
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    for stray in directory.glob("*.tmp.weights.h5"):
        stray.unlink(missing_ok=True)  # a write that was cut short
    for path in _backups(directory):
        problem = unreadable(path)
        if problem is None:
            model.load_weights(path)
            return int(_BACKUP.fullmatch(path.name).group(1))
        logger.warning(
            "%s cannot be read (%s); it is removed and the backup before it is used.",
            path,
            problem,
        )
        path.unlink(missing_ok=True)
    logger.warning("%s holds no readable backup: training starts again at epoch 1.", directory)
    return 0


def backed_up_epochs(directory) -> int:
    """The epoch count of the newest backup in `directory`; 0 if there is none."""
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        return 0
    newest = next(iter(_backups(directory)), None)
    return int(_BACKUP.fullmatch(newest.name).group(1)) if newest is not None else 0


def save_weights_atomically(model: keras.Model, path) -> None:
    """`model.save_weights(path)`, written beside `path` and renamed into place.

    Raises:
        OSError: `ENOSPC` naming `path`, before writing, when its file system
            has less room than the weights take (HDF5 can crash the process
            when the disk fills under it).
    """
    path = pathlib.Path(path)
    check_room(path, weights_file_bytes(model))
    temporary = path.with_name(path.name[: -len(".weights.h5")] + ".tmp.weights.h5")
    # fsync: the data is on disk before the name is.
    with replaced_atomically(path, temporary=temporary, fsync=True) as written:
        model.save_weights(written)


def weights_file_bytes(model: keras.Model) -> int:
    """About the size of `model.save_weights`'s file, with a margin.

    Keras saves a built optimizer's variables (Adam's two moments) beside
    the weights; HDF5 adds its own structure.
    """
    optimizer = getattr(model, "optimizer", None)  # None too before `compile`
    optimizer = optimizer if getattr(optimizer, "built", False) else None
    variables = [*model.weights, *(optimizer.variables if optimizer is not None else [])]
    size = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)
    return size + size // 2 + 64 * 2**10


def check_room(path, needed: int) -> None:
    """Raise `OSError(ENOSPC)` naming `path` when its file system has under `needed` bytes free.

    Checked before HDF5 writes: a disk that fills under it can crash the
    process (a segmentation fault) instead of raising.
    """
    path = pathlib.Path(path)
    folder = path if path.is_dir() else path.parent
    if shutil.disk_usage(folder).free < needed:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


class DiskRoomCheck(keras.callbacks.Callback):
    """Before the epoch's checkpoint and backup are written: is there room for both?

    Comes before Keras's `ModelCheckpoint`, which writes HDF5 itself.
    """

    def __init__(self, run_dir):
        super().__init__()
        self.run_dir = pathlib.Path(run_dir)

    def on_epoch_end(self, epoch, logs=None):
        check_room(self.run_dir, 2 * weights_file_bytes(self.model))


def unreadable(path) -> Optional[str]:
    """Why the HDF5 file `path` does not read back whole, or None if it does."""
    try:
        with h5py.File(path, "r") as weights:
            weights.visititems(_read_dataset)
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def truncate_log(path, epochs: int) -> None:
    """Keep only the rows of epochs before `epochs` in the CSV log `path`.

    The log then matches the restored state, so a resumed run logs each
    epoch once. With `epochs == 0` the log is removed.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        return
    if epochs == 0:
        path.unlink()
        return
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    # An epoch logged twice (by an earlier seqkeras) keeps its later row.
    by_epoch = {_epoch(row): row for row in rows[1:] if row}
    kept = rows[:1] + [by_epoch[epoch] for epoch in sorted(by_epoch) if epoch < epochs]
    if kept == rows:
        return
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    write_text_atomically(path, out.getvalue())


def _epoch(row: List[str]) -> int:
    try:
        return int(row[0])
    except ValueError:
        return 1 << 62  # not a row the logger wrote: dropped


def _backups(directory: pathlib.Path) -> List[pathlib.Path]:
    """The backups in `directory`, newest first."""
    found = [p for p in directory.iterdir() if _BACKUP.fullmatch(p.name)]
    return sorted(found, key=lambda p: int(_BACKUP.fullmatch(p.name).group(1)), reverse=True)


def _read_dataset(name, item) -> None:
    if isinstance(item, h5py.Dataset):
        item[()]
