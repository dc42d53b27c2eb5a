"""The local multi-worker launcher (`seqkeras run --workers N`)."""

import json
import socket
import sys

import pytest

from seqkeras.pipeline.training import launcher


def test_tf_config_names_every_worker_on_loopback_and_this_task():
    config = json.loads(launcher.tf_config([4001, 4002], 1))
    assert config == {
        "cluster": {"worker": ["127.0.0.1:4001", "127.0.0.1:4002"]},
        "task": {"type": "worker", "index": 1},
    }


def test_free_ports_are_distinct_and_bindable():
    ports = launcher.free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as handle:
            handle.bind(("127.0.0.1", port))


def test_failing_workers_raise_with_their_exit_code(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(launcher.WorkerFailed) as failure:
        launcher.launch_workers(["run", "nowhere.yaml"], 2, grace_seconds=5)
    assert failure.value.returncode == 2
    assert str(failure.value).endswith(
        "exited with code 2; the other workers were stopped. Rerun the same command "
        "to resume from the last finished epoch."
    )
    captured = capsys.readouterr()
    assert "[launcher] worker 0: pid " in captured.out
    # Each worker's own message arrives with its prefix.
    assert "] seqkeras run: error: nowhere.yaml: no such file." in captured.err


def test_killed_worker_message_names_the_signal():
    assert str(launcher.WorkerFailed(1, -9)).startswith("worker 1 was killed by SIGKILL;")


def test_a_heartbeat_timeout_is_explained(capsys):
    # A real worker process that logs TensorFlow's line and fails as a worker
    # of a stopped cluster does.
    line = (
        "UNAVAILABLE: Task /job:worker/replica:0/task:1 heartbeat timeout. This "
        "indicates that the remote task has failed, got preempted, or crashed unexpectedly."
    )
    program = [sys.executable, "-c", f"import sys; print({line!r}, file=sys.stderr); sys.exit(1)"]
    with pytest.raises(launcher.WorkerFailed) as failure:
        launcher.launch_workers([], 2, grace_seconds=5, program=program)
    message = str(failure.value)
    assert (
        "exited with code 1; the other workers were stopped. A worker sent no heartbeat" in message
    )
    assert message.endswith("Rerun the same command to resume from the last finished epoch.")
    assert f"] {line}" in capsys.readouterr().err


def test_an_unknown_failure_gets_no_explanation():
    program = [
        sys.executable,
        "-c",
        "import sys; print('something else', file=sys.stderr); sys.exit(3)",
    ]
    with pytest.raises(launcher.WorkerFailed) as failure:
        launcher.launch_workers([], 1, grace_seconds=5, program=program)
    assert str(failure.value) == (
        "worker 0 exited with code 3; the other workers were stopped. Rerun the same command "
        "to resume from the last finished epoch."
    )
