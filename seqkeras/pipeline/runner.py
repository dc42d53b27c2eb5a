"""`seqkeras run`: data -> build -> fit -> evaluate -> export -> report.

The run folder is written as `runs/<name>/<timestamp>.partial/` and renamed
to `runs/<name>/<timestamp>/` only when every stage has finished, so a
finished-looking folder is always complete. Rerunning the same command after
a crash finds the unfinished folder of the same config and resumes it from
its last completed epoch (`keras.callbacks.BackupAndRestore`).
"""

import datetime
import json
import os
import pathlib
import shutil
from typing import Iterable, Optional

import keras
import tensorflow as tf
import yaml

from seqkeras import report
from seqkeras.pipeline.loading import load_config
from seqkeras.pipeline.schema import PipelineConfig
from seqkeras.pipeline.schema import to_dict
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.training import build_callbacks
from seqkeras.pipeline.training import build_optimizer

PARTIAL = ".partial"


def run_pipeline(
    path,
    overrides: Iterable[str] = (),
    *,
    output_dir="runs",
    smoke: bool = False,
    verbose: int = 1,
) -> pathlib.Path:
    """Run a pipeline file end to end; return the finished run folder."""
    config = load_config(path, overrides)
    if smoke:
        config.train.epochs = 1
        config.evaluate.samples = min(config.evaluate.samples, 5)
    task = get_task(config.task)
    task.check(config)
    _seed(config)
    # Data problems (a missing or malformed file) stop the run before its
    # folder exists.
    data = task.prepare(config, smoke)
    run_dir = _open_run_dir(pathlib.Path(output_dir) / config.name, config)
    for name, vocabulary in data.vocabularies.items():
        vocabulary.save(run_dir / f"vocabulary.{name}.txt")
    model = task.build(config, data)
    steps = data.info.get("steps_per_epoch", 100)
    loss, metrics = task.loss_and_metrics(config)
    model.compile(
        optimizer=build_optimizer(config.train, steps), loss=loss, metrics=metrics
    )
    fit_options = task.fit_options(config, data)
    callbacks = build_callbacks(config.train, run_dir) + fit_options.pop("callbacks_extra", [])
    history = model.fit(
        data.train,
        validation_data=data.validation,
        epochs=config.train.epochs,
        callbacks=callbacks,
        verbose=verbose,
        shuffle=False,  # the tasks' datasets shuffle themselves, with the seed
        **fit_options,
    )
    del history  # the CSV log has every epoch, resumed ones included

    evaluation = task.evaluate(model, data, config)
    _write_json(run_dir / "metrics.json", evaluation.metrics)
    report.write_predictions(run_dir / "predictions.tsv", evaluation.predictions)
    _save_model(model, run_dir / "model.keras")
    if config.export.enabled:
        task.export(model, data, config, run_dir / "export")
    report.plot_training_curves(run_dir / "logs" / "training.csv", run_dir / "plots")
    report.plot_attention(evaluation.attention, run_dir / "plots")
    report.plot_confusion_matrix(evaluation.metrics.get("confusion_matrix"), run_dir / "plots")
    final_dir = run_dir.with_name(run_dir.name[: -len(PARTIAL)])
    shutil.rmtree(run_dir / "backup", ignore_errors=True)
    os.replace(run_dir, final_dir)
    return final_dir


def _open_run_dir(base: pathlib.Path, config: PipelineConfig) -> pathlib.Path:
    """An unfinished run of the same config to resume, or a new one."""
    resolved = yaml.safe_dump(to_dict(config), sort_keys=True)
    if base.is_dir():
        for candidate in sorted(base.glob(f"*{PARTIAL}"), reverse=True):
            saved = candidate / "config.yaml"
            if saved.is_file() and saved.read_text(encoding="utf-8") == resolved:
                return candidate
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    run_dir = base / f"{stamp}{PARTIAL}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text(resolved, encoding="utf-8")
    return run_dir


def _seed(config: PipelineConfig) -> None:
    keras.utils.set_random_seed(config.seed)
    if config.train.deterministic:
        tf.config.experimental.enable_op_determinism()


def _write_json(path: pathlib.Path, values) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(values, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def _save_model(model: keras.Model, path: pathlib.Path) -> None:
    temporary = path.with_name("model.tmp.keras")
    model.save(temporary)
    os.replace(temporary, path)


def headline(run_dir: pathlib.Path) -> Optional[str]:
    """`name = value` of the run's headline metric, for the CLI summary."""
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    name = metrics.get("headline")
    return f"{name} = {metrics[name]:.4f}" if name in metrics else None
