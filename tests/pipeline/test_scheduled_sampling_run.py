"""train.scheduled_sampling: its checks, a smoke run, and a killed run that resumes it."""

import csv
import math
import pathlib

import pytest
import tensorflow as tf

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.training.scheduled_sampling_callbacks import scheduled_sampling_callbacks
from tests.helpers import run_folders
from tests.helpers import run_python
from tests.helpers import run_seqkeras

ROOT = pathlib.Path(__file__).resolve().parents[2]


def checked(values):
    config = from_dict(PipelineConfig, values, source="p.yaml")
    get_task(config.task).check(config)
    return config


def dates_with(**scheduled_sampling):
    return {
        "task": "seq2seq",
        "data": {"dataset": "dates"},
        "train": {"scheduled_sampling": scheduled_sampling},
    }


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"train": {"scheduled_sampling": {"schedule": "linear"}}},
            r"^train\.scheduled_sampling\.schedule: got 'linear'; scheduled sampling trains the "
            r"attention decoder of the seq2seq and caption tasks, not 'classify'\. Remove the key\.$",
        ),
        (
            dates_with(schedule="exponential"),
            r"^train\.scheduled_sampling\.k: got None; the exponential schedule needs 0 < k < 1",
        ),
        (
            dates_with(schedule="inverse_sigmoid", k=0.5),
            r"^train\.scheduled_sampling\.k: got 0\.5; the inverse_sigmoid schedule needs k >= 1",
        ),
        (
            dates_with(schedule="linear", k=5),
            r"^train\.scheduled_sampling\.k: got 5\.0; the linear schedule has no k",
        ),
        (
            dates_with(schedule="linear", decay_epochs=0),
            r"^train\.scheduled_sampling\.decay_epochs: got 0\.0; expected a positive number",
        ),
        (
            dates_with(schedule="sigmoid"),
            r"train\.scheduled_sampling\.schedule: got 'sigmoid'; expected one of: linear, "
            r"exponential, inverse_sigmoid \(did you mean 'inverse_sigmoid'\?\)",
        ),
        (
            dates_with(schedule="linear", final_probability=1.5),
            r"train\.scheduled_sampling\.final_probability: got 1\.5; expected a value between "
            r"0\.0 and 1\.0\.",
        ),
    ],
)
def test_options_that_cannot_run_are_rejected_naming_the_key(values, message):
    with pytest.raises(ConfigError, match=message):
        checked(values)


def task_data(batches):
    # 10 examples in batches of 3 are 4 batches by count; `batches` is what
    # the dataset holds, as length buckets make more.
    dataset = tf.data.Dataset.range(10 * batches).batch(10)
    return TaskData(dataset, dataset, dataset, train_examples=10, batch_size=3)


def test_the_callback_counts_the_training_batches_of_an_epoch():
    assert scheduled_sampling_callbacks(checked(dates_with()), task_data(5)) == []
    config = checked(dates_with(schedule="linear", final_probability=0.5, sampling="sample"))
    config.train.epochs, config.seed = 3, 11
    [linear] = scheduled_sampling_callbacks(config, task_data(5))
    assert (linear.schedule, linear.final_probability, linear.sampling) == ("linear", 0.5, "sample")
    assert (linear.decay_steps, linear.seed) == (3 * 5, 11)  # all of train.epochs
    config = checked(dates_with(schedule="inverse_sigmoid", k=5, decay_epochs=2.5))
    [inverse_sigmoid] = scheduled_sampling_callbacks(config, task_data(6))
    assert (inverse_sigmoid.decay_steps, inverse_sigmoid.k) == (2.5 * 6, 5.0)
    config = checked(dates_with(schedule="exponential", k=0.5))
    [exponential] = scheduled_sampling_callbacks(config, task_data(7))
    assert exponential.decay_steps == 7  # one epoch per unit


def logged(run_dir, column):
    with open(run_dir / "logs" / "training.csv", newline="") as handle:
        return [float(row[column]) for row in csv.DictReader(handle)]


def only_run(output, name):
    [run_dir] = run_folders(output / name)
    return run_dir


@pytest.mark.slow
def test_dates_smoke_run_with_scheduled_sampling_trains_evaluates_and_exports(tmp_path, built):
    built("dates")
    result = run_seqkeras(
        "run",
        "pipelines/dates.yaml",
        "--smoke",
        "--output-dir",
        str(tmp_path),
        "--set",
        "train.scheduled_sampling.schedule=inverse_sigmoid",
        "--set",
        "train.scheduled_sampling.k=5",
        "--set",
        "train.scheduled_sampling.sampling=sample",
        cwd=ROOT,
        env_extra={"SEQKERAS_DATA_DIR": str(built.data_dir)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = only_run(tmp_path, "dates")
    # One epoch is one unit of the schedule: p = 1 - k / (k + e^(1/k)).
    [probability] = logged(run_dir, "sampling_probability")
    assert probability == pytest.approx(1 - 5 / (5 + math.exp(1 / 5)), rel=1e-6)
    assert "schedule: inverse_sigmoid" in (run_dir / "config.yaml").read_text()
    for artifact in ["metrics.json", "model.keras", "predictions.tsv", "plots/attention_0.png"]:
        assert (run_dir / artifact).exists(), artifact
    served = tf.saved_model.load(str(run_dir / "export")).signatures["serving_default"]
    outputs = served(inputs=tf.constant(["3 March 2021", "12/31/99"]))["outputs"]
    assert outputs.dtype == tf.string and outputs.shape == (2,)


# Three epochs of a few batches; p grows linearly over train.epochs to 0.75.
CAPTIONS = [
    "run",
    "pipelines/digit_captions.yaml",
    "--set",
    "data.limit=256",
    "--set",
    "model.units=16",
    "--set",
    "train.epochs=3",
    "--set",
    "train.early_stopping.patience=null",
    "--set",
    "train.scheduled_sampling.schedule=linear",
    "--set",
    "train.scheduled_sampling.final_probability=0.75",
    "--set",
    "export.enabled=false",  # the smoke run above exports
]


@pytest.mark.slow
def test_a_killed_caption_run_resumes_where_its_schedule_was(tmp_path, built):
    built("digit_captions")
    env = {"SEQKERAS_DATA_DIR": str(built.data_dir)}
    output = ["--output-dir", str(tmp_path)]
    # The process kills itself once the first epoch's backup is written: a
    # crash at a known point, with no race against the training.
    killed = run_python(
        f"""
        import os, signal, sys
        from seqkeras.cli import main
        from seqkeras.pipeline.run_folders.epoch_backup import EpochBackup

        back_up = EpochBackup.on_epoch_end

        def back_up_and_die(self, epoch, logs=None):
            back_up(self, epoch, logs)
            os.kill(os.getpid(), signal.SIGKILL)

        EpochBackup.on_epoch_end = back_up_and_die
        sys.exit(main({CAPTIONS + output!r}))
        """,
        cwd=ROOT,
        env_extra=env,
        timeout=900,
    )
    assert killed.returncode == -9, killed.stderr[-3000:]
    [partial] = (tmp_path / "digit_captions").iterdir()
    assert [p.name for p in (partial / "backup").iterdir()] == ["epoch-0001.weights.h5"]

    resumed = run_seqkeras(*CAPTIONS, *output, cwd=ROOT, env_extra=env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming training after epoch 1" in resumed.stdout + resumed.stderr
    run_dir = only_run(tmp_path, "digit_captions")
    assert logged(run_dir, "epoch") == [0, 1, 2]
    # The optimizer's step count came back with the backup: the schedule
    # goes on from 1/3 of the way, where a restart would log 0.25 again.
    assert logged(run_dir, "sampling_probability") == pytest.approx([0.25, 0.5, 0.75])
    assert (run_dir / "metrics.json").exists()
