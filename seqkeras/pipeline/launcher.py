"""`seqkeras run PIPELINE --workers N`: a local multi-worker run.

Starts N worker processes of the same command on the loopback interface,
each with a generated `TF_CONFIG` naming all of them, so that
`tf.distribute.MultiWorkerMirroredStrategy` trains across them as it would
across hosts. Their output is streamed with a `[worker i]` prefix. If a
worker fails, the others are stopped and the launcher fails; rerunning the
same command resumes from the chief's last backup. On a real cluster, set
`TF_CONFIG` on every host and run the command without `--workers`.
"""

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
from typing import List, Optional, Sequence

from seqkeras.errors import ConfigError

HOST = "127.0.0.1"
STRATEGY_OVERRIDE = "train.distribute.strategy=multi_worker"


class WorkerFailed(Exception):
    """A worker exited with an error; the others were stopped."""

    def __init__(self, index: int, returncode: int):
        self.index, self.returncode = index, returncode
        how = (f"was killed by {signal.Signals(-returncode).name}" if returncode < 0
               else f"exited with code {returncode}")
        super().__init__(
            f"worker {index} {how}; the other workers were stopped. Rerun the same "
            f"command to resume from the last finished epoch."
        )


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


def launch_workers(arguments: Sequence[str], workers: int, *, grace_seconds: float = 10.0) -> None:
    """Run `python -m seqkeras *arguments` as `workers` workers; wait for all.

    Raises:
        WorkerFailed: when a worker fails (the others are stopped first).
    """
    ports = free_ports(workers)
    command = [sys.executable, "-m", "seqkeras", *arguments]
    processes, streams = [], []
    # The workers' temporary files go here, so that a worker that is killed
    # before it can clean up leaves nothing behind.
    scratch = tempfile.mkdtemp(prefix="seqkeras-launcher-")
    try:
        for index in range(workers):
            env = dict(os.environ, TF_CONFIG=tf_config(ports, index), TMPDIR=scratch)
            env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, bufsize=1,
            )
            processes.append(process)
            print(f"[launcher] worker {index}: pid {process.pid}, {HOST}:{ports[index]}",
                  flush=True)
            for pipe, target in ((process.stdout, sys.stdout), (process.stderr, sys.stderr)):
                stream = threading.Thread(
                    target=_copy_lines, args=(pipe, target, f"[worker {index}] "), daemon=True
                )
                stream.start()
                streams.append(stream)
        failed = _wait(processes)
        if failed is not None:
            _stop(processes, grace_seconds)
            raise WorkerFailed(failed, processes[failed].returncode)
    finally:
        _stop(processes, grace_seconds)  # also on Ctrl-C in the launcher
        for stream in streams:
            stream.join(timeout=5)
        shutil.rmtree(scratch, ignore_errors=True)


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


def _copy_lines(pipe, target, prefix: str) -> None:
    for line in pipe:
        target.write(prefix + line)
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
