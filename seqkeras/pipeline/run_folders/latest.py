"""`runs/<name>/latest`, and finding a run from what a user types.

When a run completes, `runs/<name>/latest` is made to name its folder: a
relative symbolic link, or, where symbolic links cannot be made (FAT and
exFAT drives, some network shares), a small text file holding the folder's
name. It is replaced atomically (written beside, then renamed over), so a
reader sees the old run or the new one, never neither.

A smoke run (`--smoke`, its folder named `<timestamp>-smoke`) checks a
config on a couple of batches; its figures mean nothing, so it never takes
`latest` from a real run. It names a smoke run only while the name has no
completed real run.

`seqkeras evaluate|predict|export RUN` take a run folder, `runs/<name>`
(its latest run) or a run name (`<output-dir>/<name>/latest`).
"""

import contextlib
import fcntl
import os
import pathlib
from typing import Iterator
from typing import List
from typing import Optional

from seqkeras.errors import ConfigError
from seqkeras.utils.atomic_files import replaced_atomically

LATEST = "latest"
#: The end of a smoke run's folder name.
SMOKE = "-smoke"
#: Where `seqkeras run` writes run folders unless `--output-dir` says otherwise.
DEFAULT_OUTPUT_DIR = "runs"


def is_smoke(run_dir) -> bool:
    """Whether `run_dir` is the folder of a `--smoke` run."""
    return pathlib.Path(run_dir).name.endswith(SMOKE)


def point_latest(run_dir: pathlib.Path) -> None:
    """Make `latest` beside the completed `run_dir` name it (see the module's rules)."""
    base = run_dir.parent
    with _locked(base):  # two runs of a name completing together: one decides at a time
        current = latest_run(base)
        if is_smoke(run_dir) and current is not None and not is_smoke(current):
            return
        temporary = base / f".{LATEST}.{os.getpid()}.tmp"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()  # left by a killed run that had this pid
        with replaced_atomically(base / LATEST, temporary=temporary) as pointer:
            try:
                os.symlink(run_dir.name, pointer, target_is_directory=True)
            except (OSError, NotImplementedError):
                pointer.write_text(run_dir.name + "\n", encoding="utf-8")


def latest_run(base) -> Optional[pathlib.Path]:
    """The run folder `base/latest` names, or `None` without one (or if it is gone)."""
    pointer = pathlib.Path(base) / LATEST
    if pointer.is_symlink():
        name = os.readlink(pointer)
    elif pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
    else:
        return None
    run_dir = pointer.parent / name
    return run_dir if name and (run_dir / "config.yaml").is_file() else None


def run_names(output_dir) -> List[str]:
    """The names in `output_dir` that have a completed run, sorted."""
    output_dir = pathlib.Path(output_dir)
    if not output_dir.is_dir():
        return []
    return sorted(p.name for p in output_dir.iterdir() if p.is_dir() and latest_run(p))


def find_run(given: str, output_dir=DEFAULT_OUTPUT_DIR) -> pathlib.Path:
    """The run folder that `given` means: a run folder, `runs/<name>`, or a run name.

    A bare name (no `/`) is a run name, looked up in `output_dir` only, even
    where a folder of that name is in the working directory (`./<name>`
    names that one); anything else is a path. A folder that is neither a run
    folder nor holds a `latest` is returned as it is, for
    `seqkeras.pipeline.commands.finished_run.open_run` to say what it is.

    Raises:
        ConfigError: when `given` names no folder and no run with a
            completed run, listing the run names that have one.
    """
    if _is_run_name(given):
        found = latest_run(pathlib.Path(output_dir) / given)
        if found is not None:
            return found
        where = f"{given}: no completed run of that name in --output-dir '{output_dir}'"
        if os.path.isdir(given):
            where += f" (to mean the folder '{given}' here, give ./{given})"
        return _no_run(where, output_dir)
    path = pathlib.Path(given)
    if path.name == LATEST and (path.is_symlink() or path.is_file()):
        path = path.parent  # runs/<name>/latest: the run it names, by its own name
    elif (path / "config.yaml").is_file():
        return path
    if path.is_dir():
        if not (path / LATEST).is_symlink() and not (path / LATEST).exists():
            return path
        found = latest_run(path)
        if found is None:
            raise ConfigError(
                f"{given}: {path / LATEST} names no run folder (was it deleted?); give a "
                f"run folder, {path}/<timestamp>."
            )
        return found
    return _no_run(f"{given}: no such run folder", path.parent)


def _is_run_name(given: str) -> bool:
    """Whether `given` is a bare name (a run's), not a path: no separator, not `.` or `..`."""
    separators = [os.sep, *([os.altsep] if os.altsep else [])]
    return given not in ("", ".", "..") and not any(s in given for s in separators)


def _no_run(problem: str, searched) -> pathlib.Path:
    names = run_names(searched)
    if names:
        known = f"the names with a completed run in '{searched}' are: {', '.join(names)}"
    else:
        known = f"'{searched}' holds no completed run"
    raise ConfigError(
        f"{problem}; expected a run name, runs/<name> or a run folder "
        f"(runs/<name>/<timestamp>); {known}."
    )


def run_reference(run_dir: pathlib.Path, output_dir) -> str:
    """The shortest argument that names `run_dir` for `seqkeras predict|evaluate|export`."""
    base = run_dir.parent
    latest = latest_run(base)
    if latest is None or latest.resolve() != run_dir.resolve():
        return str(run_dir)  # a smoke run beside a real one: only its folder names it
    default = pathlib.Path(output_dir) == pathlib.Path(DEFAULT_OUTPUT_DIR)
    if default and not pathlib.Path(base.name).exists():  # else the path reads clearer
        return base.name
    return str(base)


@contextlib.contextmanager
def _locked(directory: pathlib.Path) -> Iterator[None]:
    """An exclusive lock on `directory` itself, where its file system has one."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            pass  # file systems without flock: the rename is still atomic
        yield
    finally:
        os.close(descriptor)
