"""`seqkeras run PIPELINE --workers N`: a local multi-worker run.

Starts N worker processes of the same command on the loopback interface,
each with a generated `TF_CONFIG` naming all of them, so that
`tf.distribute.MultiWorkerMirroredStrategy` trains across them as it would
across hosts. Their output is streamed with a `[worker i]` prefix. If a
worker fails, the others are stopped and the launcher fails; rerunning the
same command resumes from the chief's last backup. On a real cluster, set
`TF_CONFIG` on every host and run the command without `--workers`.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import List
from typing import Optional
from typing import Sequence

from seqkeras.errors import ConfigError

HOST = "127.0.0.1"
STRATEGY_OVERRIDE = "train.distribute.strategy=multi_worker"


class WorkerFailed(Exception):
    """A worker exited with an error; the others were stopped."""

    def __init__(self, index: int, returncode: int, cause: Optional[str] = None):
        self.index, self.returncode = index, returncode
        how = (
            f"was killed by {signal.Signals(-returncode).name}"
            if returncode < 0
            else f"exited with code {returncode}"
        )
        super().__init__(
            f"worker {index} {how}; the other workers were stopped. "
            + (f"{cause} " if cause else "")
            + "Rerun the same command to resume from the last finished epoch."
        )


class Terminated(KeyboardInterrupt):
    """The launcher got SIGTERM or SIGHUP; raised like Ctrl-C so that it stops its workers."""

    def __init__(self, signal_number: int):
        self.signal_number = signal_number
        #: What the command exits with, as shells report a process ended by the signal.
        self.exit_code = 128 + signal_number
        super().__init__(signal.Signals(signal_number).name)


#: Signals that stop a launcher as Ctrl-C does: `kill PID`, a closed terminal.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


# Failures whose TensorFlow message does not say what to do, by a phrase of
# their log line.
KNOWN_CAUSES = {
    "heartbeat timeout": (
        "A worker sent no heartbeat to the coordination service for over 10 s, "
        "so TensorFlow stopped the cluster; a worker that stalls on a busy host "
        "looks like a failed one."
    ),
}


def tf_config(ports: Sequence[int], index: int) -> str:
    """The `TF_CONFIG` of worker `index` in a loopback cluster of `ports`."""
    cluster = {"worker": [f"{HOST}:{port}" for port in ports]}
    return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})


def free_ports(count: int) -> List[int]:
    """Ports that are free now on the loopback interface."""
    sockets = []
    try:
        for _ in range(count):
            handle = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            handle.bind((HOST, 0))
            sockets.append(handle)
        return [handle.getsockname()[1] for handle in sockets]
    finally:
        for handle in sockets:
            handle.close()


def launch_workers(
    arguments: Sequence[str],
    workers: int,
    *,
    grace_seconds: float = 10.0,
    program: Sequence[str] = (sys.executable, "-m", "seqkeras"),
) -> None:
    """Run `python -m seqkeras *arguments` as `workers` workers; wait for all.

    Args:
        arguments: the command line after `seqkeras`.
        workers: how many worker processes to start.
        grace_seconds: how long a worker that is being stopped gets to exit
            after `SIGTERM` before it is killed.
        program: the command that `arguments` follow.

    Raises:
        WorkerFailed: when a worker fails (the others are stopped first); it
            explains the failure when a worker logged one of `KNOWN_CAUSES`.
        Terminated: when the launcher gets SIGTERM or SIGHUP (the workers
            are stopped first). Without this, `kill PID` would end the
            launcher alone and leave its workers training.
    """
    with stop_signals_raise():
        _launch_and_wait(arguments, workers, grace_seconds, program)


@contextlib.contextmanager
def stop_signals_raise():
    """`STOP_SIGNALS` raise `Terminated` for the block (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signal_number, frame):
        raise Terminated(signal_number)

    previous = {number: signal.signal(number, terminated) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _launch_and_wait(arguments, workers, grace_seconds, program) -> None:
    """Start the workers, stream their output and wait; see `launch_workers`."""
    ports = free_ports(workers)
    command = [*program, *arguments]
    processes, streams, causes = [], [], []
    # The workers' temporary files go here, so that a worker that is killed
    # before it can clean up leaves nothing behind.
    scratch = tempfile.mkdtemp(prefix="seqkeras-launcher-")
    try:
        for index in range(workers):
            env = dict(os.environ, TF_CONFIG=tf_config(ports, index), TMPDIR=scratch)
            env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            process = _start_worker(command, env)
            processes.append(process)
            print(
                f"[launcher] worker {index}: pid {process.pid}, {HOST}:{ports[index]}", flush=True
            )
            for pipe, target in ((process.stdout, sys.stdout), (process.stderr, sys.stderr)):
                stream = threading.Thread(
                    target=_copy_lines,
                    args=(pipe, target, f"[worker {index}] ", causes),
                    daemon=True,
                )
                stream.start()
                streams.append(stream)
        failed = _wait(processes)
    finally:
        _stop(processes, grace_seconds)  # the others when one failed; all on Ctrl-C
        for stream in streams:  # the failed worker's last lines may name the cause
            stream.join(timeout=5)
        shutil.rmtree(scratch, ignore_errors=True)
    if failed is not None:
        raise WorkerFailed(failed, processes[failed].returncode, causes[0] if causes else None)


def _start_worker(command: Sequence[str], env: dict) -> subprocess.Popen:
    """Start one worker that ignores SIGINT.

    Ctrl-C in a terminal signals the whole process group. The launcher alone
    answers it: it stops every worker (`_stop`) and says how to resume, where
    workers that took the signal too would each print their own message, or
    a traceback if it came while they start. The child inherits the ignored
    SIGINT across `exec`, and Python then installs no KeyboardInterrupt
    handler in it.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
    try:
        return subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
    finally:
        if previous is not None:
            # A Ctrl-C during the start is lost; the next one stops the run.
            signal.signal(signal.SIGINT, previous)


def _wait(processes) -> Optional[int]:
    """The index of the first worker to fail, or `None` when all succeed."""
    while True:
        codes = [process.poll() for process in processes]
        for index, code in enumerate(codes):
            if code not in (None, 0):
                return index
        if all(code == 0 for code in codes):
            return None
        time.sleep(0.1)


def _stop(processes, grace_seconds: float) -> None:
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.time() + grace_seconds
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _copy_lines(pipe, target, prefix: str, causes: List[str]) -> None:
    for line in pipe:
        target.write(prefix + line)
        for phrase, cause in KNOWN_CAUSES.items():
            if phrase in line and cause not in causes:
                causes.append(cause)
        target.flush()
    pipe.close()


def check_workers(workers: int, config) -> None:
    """Reject `--workers` with a config that cannot run on that many workers."""
    if workers < 1:
        raise ConfigError(f"--workers: got {workers}; expected a positive integer.")
    strategy = config.train.distribute.strategy
    if workers > 1 and strategy not in ("none", "multi_worker"):
        raise ConfigError(
            f"--workers: got {workers}, which starts a multi_worker run, but "
            f"train.distribute.strategy is {strategy!r}; remove the key or set it "
            f"to multi_worker."
        )
    if config.data.batch_size % workers:
        raise ConfigError(
            f"data.batch_size: got {config.data.batch_size}; the global batch is "
            f"divided across the {workers} workers of --workers, so it must be a "
            f"multiple of {workers}."
        )
