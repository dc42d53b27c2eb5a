"""Issue 7 acceptance: several devices, several worker processes, mixed precision.

CPU only: two devices are two logical CPU devices, two workers are two real
processes on 127.0.0.1 started by `seqkeras run --workers 2`.
"""

import csv
import json
import math
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.helpers import run_folders
from tests.helpers import run_python

ROOT = pathlib.Path(__file__).resolve().parents[2]


def command_env(data_dir, **extra):
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SEQKERAS_DATA_DIR=str(data_dir), **extra)


def workers_env(built, dataset, tmp_path):
    """The environment of a worker run, and the temporary directory it gets."""
    built(dataset)
    workers_tmp = tmp_path / "workers_tmp"
    workers_tmp.mkdir()
    return command_env(built.data_dir, TMPDIR=str(workers_tmp)), workers_tmp


def seqkeras(*args, env, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "seqkeras", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def failure_report(stderr, tail=3000):
    """The first error line of each worker, then the end of `stderr`.

    When one worker fails the others fail after it with errors that name the
    first; the end of the log alone shows only those.
    """
    first = {}
    for line in stderr.splitlines():
        found = re.match(r"(\[worker \d+\]) .*(Error|error:)", line)
        if found and found.group(1) not in first:
            first[found.group(1)] = line
    return "\n".join([*first.values(), "...", stderr[-tail:]])


def only_run(output, name):
    [run_dir] = run_folders(output / name)
    return run_dir


def training_log(run_dir):
    with open(run_dir / "logs" / "training.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(row[key]) for row in rows]) for key in rows[0]}


def assert_same_trajectory(got, want, rtol):
    assert list(got) == list(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=rtol, err_msg=key)


# Small digits runs; clipnorm=0.01 makes clipping act on every step, so the
# comparison also checks that replicas clip the global batch's gradient.
DIGITS = [
    "train.epochs=3",
    "data.limit=320",
    "model.units=16",
    "train.early_stopping.patience=null",
    "export.enabled=false",
    "train.optimizer.clipnorm=0.01",
    "train.distribute.strategy=mirrored",
]


@pytest.mark.slow
def test_mirrored_over_two_devices_follows_the_one_device_trajectory(tmp_path, built):
    built("digits_rows")
    # Both runs go through Keras's distributed fit, which opens the training
    # data once more before the first epoch than a run without a strategy,
    # so the one-device reference is a one-device mirrored run.
    result = run_python(
        f"""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from seqkeras.pipeline.commands.runner import run_pipeline
        for name, devices in [("one", "[/cpu:0]"), ("two", "[/cpu:0, /cpu:1]")]:
            run_pipeline("pipelines/digits_rows.yaml",
                         {DIGITS!r} + ["train.distribute.devices=" + devices],
                         output_dir=r"{tmp_path}/" + name, verbose=0)
        """,
        cwd=ROOT,
        env_extra={"SEQKERAS_DATA_DIR": str(built.data_dir)},
        timeout=600,
    )
    assert result.returncode == 0, failure_report(result.stderr)
    one = training_log(only_run(tmp_path / "one", "digits_rows"))
    two = training_log(only_run(tmp_path / "two", "digits_rows"))
    assert len(one["loss"]) == 3 and one["loss"][-1] < one["loss"][0]
    assert_same_trajectory(two, one, rtol=1e-5)


# A small seq2seq run. Dates targets all have 11 tokens and the batches are
# not length-bucketed, so every global batch splits into equal halves and the
# replicas' mean losses average to the batch's mean loss.
DATES = [
    "--set",
    "data.limit=256",
    "--set",
    "data.batch_size=32",
    "--set",
    "model.units=16",
    "--set",
    "model.embedding_dim=8",
    "--set",
    "train.epochs=2",
    "--set",
    "data.num_buckets=1",
]


@pytest.mark.slow
@pytest.mark.xdist_group("loopback_cluster")
def test_two_worker_processes_match_a_single_process_run(tmp_path, built):
    env, workers_tmp = workers_env(built, "dates", tmp_path)
    single = seqkeras(
        "run",
        "pipelines/dates.yaml",
        "--output-dir",
        str(tmp_path / "single"),
        *DATES,
        "--set",
        "export.enabled=false",
        "--set",
        "train.distribute.strategy=multi_worker",
        env=env,
    )
    assert single.returncode == 0, failure_report(single.stderr)
    workers = seqkeras(
        "run",
        "pipelines/dates.yaml",
        "--workers",
        "2",
        "--output-dir",
        str(tmp_path / "workers"),
        *DATES,
        env=env,
    )
    assert workers.returncode == 0, failure_report(workers.stderr)

    run_dir = only_run(tmp_path / "workers", "dates")
    # One run folder, and `latest` naming it: the other workers wrote none.
    assert sorted(p.name for p in run_dir.parent.iterdir()) == [run_dir.name, "latest"]
    assert f"[worker 0] Run folder: {run_dir}" in workers.stdout
    assert "[worker 1] This worker has finished; the chief writes the run folder." in workers.stdout
    assert "[launcher] all 2 workers finished" in workers.stdout
    for artifact in [
        "metrics.json",
        "model.keras",
        "export/saved_model.pb",
        "checkpoints/best.weights.h5",
        "vocabulary.source.txt",
    ]:
        assert (run_dir / artifact).exists(), artifact
    assert not (run_dir / "backup").exists()
    assert list(workers_tmp.iterdir()) == []  # worker 1's temporary files are gone

    reference = only_run(tmp_path / "single", "dates")
    assert_same_trajectory(training_log(run_dir), training_log(reference), rtol=1e-5)
    got = json.loads((run_dir / "metrics.json").read_text())
    want = json.loads((reference / "metrics.json").read_text())
    for key in ["exact_match", "character_error_rate"]:
        assert abs(got[key] - want[key]) <= 1e-3, key


@pytest.mark.slow
@pytest.mark.xdist_group("loopback_cluster")
def test_killed_worker_run_resumes_from_the_backup(tmp_path, built):
    env, workers_tmp = workers_env(built, "digits_rows", tmp_path)
    command = [
        sys.executable,
        "-m",
        "seqkeras",
        "run",
        "pipelines/digits_rows.yaml",
        "--workers",
        "2",
        "--output-dir",
        str(tmp_path / "runs"),
        "--set",
        "train.epochs=6",
        "--set",
        "train.early_stopping.patience=null",
        "--set",
        "data.limit=320",
        "--set",
        "model.units=16",
    ]
    out_path, err_path = tmp_path / "launcher.out", tmp_path / "launcher.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        launcher = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        log, deadline = None, time.time() + 300
        while time.time() < deadline:
            logs = list(tmp_path.glob("runs/digits_rows/*.partial/logs/training.csv"))
            if logs and len(logs[0].read_text().splitlines()) >= 2:  # header + epoch 0
                log = logs[0]
                break
            assert launcher.poll() is None, err_path.read_text()[-2000:]
            time.sleep(0.05)
        assert log is not None, "the first epoch never finished"
        pids = dict(re.findall(r"\[launcher\] worker (\d): pid (\d+)", out_path.read_text()))
        os.kill(int(pids["1"]), signal.SIGKILL)
        assert launcher.wait(timeout=120) == 1
    assert "worker 1 was killed by SIGKILL; the other workers were stopped." in err_path.read_text()
    with pytest.raises(ProcessLookupError):  # the launcher stopped the chief too
        os.kill(int(pids["0"]), 0)
    epochs_before = [line.split(",")[0] for line in log.read_text().splitlines()[1:]]
    assert epochs_before and len(epochs_before) < 6

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, failure_report(result.stderr)
    run_dir = only_run(tmp_path / "runs", "digits_rows")
    assert run_dir.name == log.parents[1].name[: -len(".partial")]
    epochs = [
        int(line.split(",")[0])
        for line in (run_dir / "logs/training.csv").read_text().splitlines()[1:]
    ]
    assert epochs == list(range(6))  # resumed: nothing lost, nothing repeated
    assert (run_dir / "metrics.json").exists() and (run_dir / "export").is_dir()
    assert list(workers_tmp.iterdir()) == []  # the killed worker's files too


# A short dates run that reaches about 0.99 exact match in float32.
SHORT_DATES = ["--set", "data.limit=16000", "--set", "train.epochs=2", "--set", "model.units=32"]


@pytest.mark.slow
def test_mixed_precision_dates_runs_match_float32_and_export_strings(tmp_path, built):
    import tensorflow as tf

    built("dates")
    env = command_env(built.data_dir)
    exact_match = {}
    for policy in ["float32", "mixed_bfloat16", "mixed_float16"]:
        export = [] if policy != "float32" else ["--set", "export.enabled=false"]
        result = seqkeras(
            "run",
            "pipelines/dates.yaml",
            "--output-dir",
            str(tmp_path / policy),
            *SHORT_DATES,
            *export,
            "--set",
            f"train.mixed_precision={policy}",
            env=env,
        )
        assert result.returncode == 0, failure_report(result.stderr)
        run_dir = only_run(tmp_path / policy, "dates")
        log = training_log(run_dir)
        assert all(math.isfinite(v) for values in log.values() for v in values), policy
        exact_match[policy] = json.loads((run_dir / "metrics.json").read_text())["exact_match"]
        if policy == "float32":
            continue
        with open(run_dir / "predictions.tsv", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        served = tf.saved_model.load(str(run_dir / "export")).signatures["serving_default"]
        outputs = served(inputs=tf.constant([row["source"] for row in rows]))["outputs"]
        assert outputs.dtype == tf.string
        assert [o.decode("utf-8") for o in outputs.numpy()] == [row["prediction"] for row in rows]
    assert exact_match["float32"] >= 0.98, exact_match
    for policy in ["mixed_bfloat16", "mixed_float16"]:
        assert abs(exact_match[policy] - exact_match["float32"]) <= 0.01, exact_match


BAD_COMBINATIONS = [
    (
        ["pipelines/char_lm.yaml", "--set", "train.distribute.strategy=mirrored"],
        "train.distribute.strategy: got 'mirrored'; the language_model task trains with "
        "stateful truncated backpropagation (train.tbptt.window), which tf.distribute does not support",
    ),
    (
        ["pipelines/char_lm.yaml", "--workers", "2"],
        "train.distribute.strategy: got 'multi_worker'; the language_model task",
    ),
    (
        ["pipelines/dates.yaml", "--workers", "2", "--set", "train.distribute.strategy=mirrored"],
        "--workers: got 2, which starts a multi_worker run, but train.distribute.strategy is 'mirrored'",
    ),
    (["pipelines/dates.yaml", "--workers", "0"], "--workers: got 0; expected a positive integer."),
    (
        ["pipelines/dates.yaml", "--set", "train.distribute.devices=[/cpu:0]"],
        "train.distribute.devices: got ['/cpu:0']; devices are listed for train.distribute.strategy 'mirrored' only",
    ),
    (
        [
            "pipelines/dates.yaml",
            "--set",
            "train.distribute.strategy=tpu",
            "--set",
            "train.mixed_precision=mixed_float16",
        ],
        "train.mixed_precision: got 'mixed_float16'; with train.distribute.strategy 'tpu' use mixed_bfloat16",
    ),
    (
        ["pipelines/dates.yaml", "--workers", "2", "--set", "data.batch_size=33"],
        "data.batch_size: got 33; the global batch is divided across the 2 workers",
    ),
]


@pytest.mark.parametrize("args, message", BAD_COMBINATIONS)
def test_invalid_combinations_exit_2_naming_the_keys(args, message, tmp_path):
    result = seqkeras(
        "run", *args, "--output-dir", str(tmp_path / "runs"), env=command_env(tmp_path / "data")
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "[launcher]" not in result.stdout  # rejected before any worker started
    assert not (tmp_path / "runs").exists()
