"""The life of a run folder: made or resumed, locked, cleaned, finished.

`runs/<name>/<timestamp>.partial/` holds a run until every stage has
finished; then it is renamed to `runs/<name>/<timestamp>/` and
`runs/<name>/latest` is made to name it (`seqkeras/pipeline/run_folders/latest.py`).
A `--smoke` run's folder is `<timestamp>-smoke`. While it is
`.partial` its `run.lock` names the process writing it
(`seqkeras/pipeline/run_folders/lock.py`). Rerunning the same command resumes the
newest `.partial` folder of the same resolved config (and of the same kind,
smoke or real) whose owner is gone;
one whose owner still runs is left alone and the new run gets a folder of
its own, so two runs started together never share one.
"""

import datetime
import logging
import os
import pathlib
import shutil
import tempfile
from typing import Iterator
from typing import Tuple

import yaml

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.fields import to_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.run_folders.epoch_backup import backed_up_epochs
from seqkeras.pipeline.run_folders.latest import SMOKE
from seqkeras.pipeline.run_folders.latest import is_smoke
from seqkeras.pipeline.run_folders.latest import point_latest
from seqkeras.pipeline.run_folders.lock import LOCK_FILE
from seqkeras.pipeline.run_folders.lock import RunLock
from seqkeras.utils.atomic_files import write_text_atomically

logger = logging.getLogger("seqkeras")

PARTIAL = ".partial"
#: Saved when training ends; a rerun of the folder goes straight to evaluation.
TRAINED_WEIGHTS = "trained.weights.h5"
BACKUP = "backup"


def resolved_config(config: PipelineConfig) -> str:
    """The config as `config.yaml` holds it; resuming compares this text."""
    return yaml.safe_dump(to_dict(config), sort_keys=True)


def check_output_dir(output_dir, name: str) -> None:
    """`ConfigError` naming `--output-dir` unless run folders can be made there."""
    output_dir = pathlib.Path(output_dir)
    target = output_dir / name
    for path in [target, *target.parents]:
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            continue  # made later; or a parent is a file, found further up
        except PermissionError:
            problem = "cannot be reached (permission denied)"
        else:
            if not path.is_dir():
                problem = "is a file, not a directory"
            elif os.access(path, os.W_OK | os.X_OK):
                return
            elif os.statvfs(path).f_flag & os.ST_RDONLY:
                problem = "is on a read-only file system"
            else:
                problem = "is not writable by this user"
        where = f"'{output_dir}'" if path == output_dir else f"'{output_dir}' ('{path}')"
        raise ConfigError(
            f"--output-dir: {where} {problem}; expected a directory where run folders "
            f"can be written (it is made if it does not exist)."
        )


def open_run_dir(
    base: pathlib.Path, resolved: str, smoke: bool = False
) -> Tuple[pathlib.Path, RunLock]:
    """An unfinished run of the same config to resume, or a new folder; locked.

    A smoke run resumes and makes `<timestamp>-smoke` folders only, so that
    it never finishes a real run's folder nor a real run a smoke run's.
    """
    for candidate in _unfinished(base, resolved, smoke):
        lock = RunLock(candidate)
        try:
            holder = lock.take_over()
        except FileNotFoundError:
            continue  # it finished meanwhile
        if holder is None:
            remove_leftovers(candidate)
            logger.info("resuming the unfinished run %s", candidate)
            return candidate, lock
        if holder.pid < 0:
            logger.warning(
                "%s is not resumed: its %s cannot be read. If no run is writing that "
                "folder, delete the file to resume it. This run writes a new folder.",
                candidate,
                LOCK_FILE,
            )
        else:
            logger.warning(
                "%s is being written by %s, another run of this pipeline; it is left "
                "to that run and this run writes a new folder.",
                candidate,
                holder.describe(),
            )
    try:
        base.mkdir(parents=True, exist_ok=True)
        while True:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            run_dir = base / f"{stamp}{SMOKE if smoke else ''}{PARTIAL}"
            try:
                run_dir.mkdir()
                break
            except FileExistsError:
                continue  # another run started in the same microsecond
    except OSError as error:
        raise ConfigError(
            f"--output-dir: cannot make the run folder in '{base}' ({error.strerror}); "
            f"expected a directory where run folders can be written."
        ) from None
    # The lock exists before config.yaml does, so no run ever resumes a folder
    # that another run is still making.
    lock = RunLock.create(run_dir)
    write_text_atomically(run_dir / "config.yaml", resolved)
    return run_dir, lock


def worker_dir(base: pathlib.Path, resolved: str, smoke: bool = False) -> pathlib.Path:
    """A non-chief worker's temporary directory, with the chief's training state.

    The backup (or the trained weights) of the unfinished run the chief
    resumes is copied in, so that every worker starts from the same epoch,
    or skips training with it; what the worker writes stays here.
    """
    work_dir = pathlib.Path(tempfile.mkdtemp(prefix="seqkeras-worker-"))
    # The chief may hold the folder's lock already: workers only read it.
    unfinished = next(_unfinished(base, resolved, smoke), None)
    if unfinished is not None:
        if (unfinished / BACKUP).is_dir():
            shutil.copytree(unfinished / BACKUP, work_dir / BACKUP)
        if (unfinished / TRAINED_WEIGHTS).is_file():
            shutil.copy(unfinished / TRAINED_WEIGHTS, work_dir / TRAINED_WEIGHTS)
    return work_dir


def remove_leftovers(run_dir: pathlib.Path) -> None:
    """Temporary files of writes that were cut short (a killed run)."""
    for path in run_dir.glob(".export.*"):  # the SavedModel writer's staging
        shutil.rmtree(path, ignore_errors=True)
    for pattern in ["*.tmp", "*.tmp.keras", "*.tmp.weights.h5", "*/*.tmp", "*/*.tmp.weights.h5"]:
        for path in run_dir.glob(pattern):
            if path.is_file():
                path.unlink(missing_ok=True)


def finish(run_dir: pathlib.Path, lock: RunLock) -> pathlib.Path:
    """Rename the complete `.partial` folder to its final name, point `latest` at it."""
    remove_leftovers(run_dir)
    final_dir = run_dir.with_name(run_dir.name[: -len(PARTIAL)])
    os.replace(run_dir, final_dir)
    # Only now: until the rename, a rerun resumes from the trained weights.
    shutil.rmtree(final_dir / BACKUP, ignore_errors=True)
    (final_dir / TRAINED_WEIGHTS).unlink(missing_ok=True)
    (final_dir / LOCK_FILE).unlink(missing_ok=True)
    point_latest(final_dir)
    return final_dir


def resume_hint(run_dir: pathlib.Path) -> str:
    """What rerunning the same command does with the unfinished `run_dir`, for messages."""
    if not run_dir.is_dir():  # stopped just after `finish` renamed it
        return f"the run had finished: {run_dir.with_name(run_dir.name[: -len(PARTIAL)])}"
    if (run_dir / TRAINED_WEIGHTS).is_file():
        return f"training had finished: rerun the same command to go on to evaluation in {run_dir}"
    epochs = backed_up_epochs(run_dir / BACKUP)
    if epochs:
        return (
            f"rerun the same command to resume {run_dir} after epoch {epochs}, "
            f"its last backed-up epoch"
        )
    return f"no epoch had finished: rerun the same command to start training again in {run_dir}"


def _unfinished(base: pathlib.Path, resolved: str, smoke: bool) -> Iterator[pathlib.Path]:
    """The `.partial` smoke (or real) run folders of the config `resolved`, newest first."""
    if base.is_dir():
        for candidate in sorted(base.glob(f"*{PARTIAL}"), reverse=True):
            if is_smoke(candidate.name[: -len(PARTIAL)]) != smoke:
                continue
            saved = candidate / "config.yaml"
            try:
                if saved.read_text(encoding="utf-8") == resolved:
                    yield candidate
            except OSError:
                continue  # not a run folder, or gone meanwhile
