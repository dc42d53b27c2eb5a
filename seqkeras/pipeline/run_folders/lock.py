"""Who owns an unfinished run folder: `run.lock`, with the owner's pid and host.

A `.partial` run folder is resumed by rerunning the same command, so two
runs of one pipeline must never write into the same folder. The run that
makes a folder creates its lock file atomically (`O_CREAT | O_EXCL`) before
the folder's `config.yaml` exists, so no other run ever sees a folder without
its owner. A later run takes a folder over only when the owner recorded in
the lock is gone: same host, and no process with that pid started at that
time (`os.kill(pid, 0)` and `/proc/<pid>/stat`). A lock written on another
host is never taken over, as that process cannot be checked from here.
"""

import dataclasses
import fcntl
import json
import os
import pathlib
import socket
from typing import Optional

LOCK_FILE = "run.lock"


@dataclasses.dataclass(frozen=True)
class Owner:
    """The process that holds a run folder."""

    pid: int
    host: str
    started: Optional[int] = None  # clock ticks after boot (`/proc/<pid>/stat`)
    boot: Optional[str] = None  # `/proc/sys/kernel/random/boot_id`

    @classmethod
    def this_process(cls) -> "Owner":
        pid = os.getpid()
        return cls(pid=pid, host=socket.gethostname(), started=_start_time(pid), boot=_boot_id())

    def alive(self) -> bool:
        """False only when the owner is surely gone; another host's is alive."""
        if self.host != socket.gethostname():
            return True
        if self.boot is not None and _boot_id() not in (None, self.boot):
            return False  # the machine restarted since
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # a process of another user has the pid
        started = _start_time(self.pid)
        # A zombie, or another process that was given the pid later.
        return not (started == -1 or (self.started is not None and started != self.started))

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}"


class RunLock:
    """The lock file of one run folder.

    Args:
        run_dir: The `.partial` run folder the lock belongs to.

    Example:

    ```python
    lock = RunLock.create(run_dir)  # FileExistsError if the folder has one
    ...
    lock.release()
    ```
    """

    def __init__(self, run_dir):
        self.path = pathlib.Path(run_dir) / LOCK_FILE

    @classmethod
    def create(cls, run_dir) -> "RunLock":
        """The lock of a new folder; `FileExistsError` if there is one already."""
        lock = cls(run_dir)
        descriptor = os.open(lock.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(descriptor, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # a racing take_over waits for the content
            _write_owner(handle, Owner.this_process())
        return lock

    def owner(self) -> Optional[Owner]:
        """The recorded owner; None if there is no lock or it cannot be read."""
        try:
            return _parse(self.path.read_text(encoding="utf-8"))
        except OSError:
            return None

    def take_over(self) -> Optional[Owner]:
        """Become the owner unless a live process is; return that process.

        A folder without a lock (written by an earlier seqkeras) gets one.
        Returns None when this process now owns the folder, else the owner
        that stays, or `Owner(pid=-1, ...)` for a lock that cannot be read
        (a creator that died while writing it; the user removes it).
        """
        while True:
            try:
                RunLock.create(self.path.parent)
                return None
            except FileExistsError:
                pass
            try:
                handle = open(self.path, "r+", encoding="utf-8")
            except FileNotFoundError:
                continue  # released meanwhile: try to create it again
            with handle:
                # Racing take-overs of one dead owner's lock run one by one;
                # the second reads the first's pid and leaves.
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    same_file = os.stat(self.path).st_ino == os.fstat(handle.fileno()).st_ino
                except FileNotFoundError:
                    same_file = False
                if not same_file:
                    continue
                owner = _parse(handle.read())
                if owner is None:
                    return Owner(pid=-1, host="?")
                if owner.alive():
                    return owner
                _write_owner(handle, Owner.this_process())
                return None

    def release(self) -> None:
        """Remove the lock if this process holds it."""
        owner = self.owner()
        if owner is not None and owner.pid == os.getpid():
            self.path.unlink(missing_ok=True)


def _write_owner(handle, owner: Owner) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(dataclasses.asdict(owner)) + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def _parse(text: str) -> Optional[Owner]:
    try:
        values = json.loads(text)
        return Owner(
            pid=int(values["pid"]),
            host=str(values["host"]),
            started=values.get("started"),
            boot=values.get("boot"),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _start_time(pid: int) -> Optional[int]:
    """When `pid` started (clock ticks after boot); -1 for a zombie; None if unknown."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # the name may hold spaces
    if fields[0] == "Z":
        return -1
    return int(fields[19])


def _boot_id() -> Optional[str]:
    try:
        return pathlib.Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
