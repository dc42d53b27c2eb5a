"""`seqkeras run`: data -> build -> fit -> evaluate -> export -> report.

The run folder is written as `runs/<name>/<timestamp>.partial/` and renamed
to `runs/<name>/<timestamp>/` only when every stage has finished, so a
finished-looking folder is always complete. Rerunning the same command after
a crash finds the unfinished folder of the same config and resumes it from
its last completed epoch (`keras.callbacks.BackupAndRestore`).

Under a multi-worker strategy every worker runs this function; only the
chief writes the run folder. The other workers keep their checkpoints and
logs in a temporary directory (removed at the end), restore from the chief's
backup when the run resumes, and stop after training.
"""

import copy
import datetime
import json
import os
import pathlib
import shutil
import tempfile
from typing import Iterable
from typing import Optional

import keras
import tensorflow as tf
import yaml

from seqkeras import report
from seqkeras.decoding import serialize_strategy
from seqkeras.errors import TrainingDiverged
from seqkeras.layers import set_implementation
from seqkeras.pipeline import distribute
from seqkeras.pipeline.loading import load_config
from seqkeras.pipeline.schema import PipelineConfig
from seqkeras.pipeline.schema import to_dict
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.training import DivergenceCheck
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
) -> Optional[pathlib.Path]:
    """Run a pipeline file end to end; return the finished run folder.

    A non-chief worker of a multi-worker run returns `None`: it trains and
    leaves the run folder to the chief.
    """
    config = load_config(path, overrides)
    if smoke:
        config.train.epochs = 1
        config.evaluate.samples = min(config.evaluate.samples, 5)
    task = get_task(config.task)
    task.check(config)
    decoding = task.strategy(config)
    distribute.check_distribute(config)
    strategy = distribute.create_strategy(config.train.distribute)
    distribute.check_replicas(config, strategy)
    chief = distribute.is_chief(strategy)
    _seed(config)
    # Data problems (a missing or malformed file) stop the run before its
    # folder exists.
    data = task.prepare(config, smoke)
    if strategy is not None:
        data.train = distribute.shard_by_data(data.train)
        data.validation = distribute.shard_by_data(data.validation)
    base = pathlib.Path(output_dir) / config.name
    run_dir = _open_run_dir(base, config) if chief else _worker_dir(base, config)
    if chief:
        for name, vocabulary in data.vocabularies.items():
            vocabulary.save(run_dir / f"vocabulary.{name}.txt")
    try:
        model = _train(task, config, data, strategy, run_dir, verbose)
    finally:
        if not chief:
            shutil.rmtree(run_dir, ignore_errors=True)
    if not chief:
        return None
    if strategy is not None or config.train.mixed_precision != "float32":
        model = _float32_copy(task, config, data, model)

    evaluation = evaluate(task, model, data, config, decoding)
    _write_json(run_dir / "metrics.json", evaluation.metrics)
    report.write_predictions(run_dir / "predictions.tsv", evaluation.predictions)
    _save_model(model, run_dir / "model.keras")
    if config.export.enabled:
        task.export(model, data, config, run_dir / "export", decoding)
    report.plot_training_curves(run_dir / "logs" / "training.csv", run_dir / "plots")
    report.plot_attention(evaluation.attention, run_dir / "plots")
    report.plot_confusion_matrix(
        evaluation.metrics.get("confusion_matrix"),
        run_dir / "plots",
        labels=evaluation.metrics.get("class_names"),
    )
    final_dir = run_dir.with_name(run_dir.name[: -len(PARTIAL)])
    shutil.rmtree(run_dir / "backup", ignore_errors=True)
    os.replace(run_dir, final_dir)
    return final_dir


def _train(task, config, data, strategy, run_dir, verbose) -> keras.Model:
    """Build and compile (inside the strategy's scope) and fit."""
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    with distribute.training_scope(config, strategy):
        model = _build_and_compile(task, config, data, replicas)
    divergence = DivergenceCheck()
    model.fit(
        data.train,
        validation_data=data.validation,
        epochs=config.train.epochs,
        callbacks=[divergence, *build_callbacks(config.train, run_dir)]
        + task.callbacks(config, data),
        verbose=verbose,
        shuffle=False,  # the tasks' datasets shuffle themselves, with the seed
    )  # the CSV log has every epoch, resumed ones included
    if divergence.diverged_at is not None:
        epoch, batch, loss = divergence.diverged_at
        # Nothing of a diverged run is worth keeping or resuming.
        shutil.rmtree(run_dir, ignore_errors=True)
        if not any(run_dir.parent.iterdir()):
            run_dir.parent.rmdir()  # runs/<name>/ held only this run
        raise TrainingDiverged(
            f"training diverged: the loss became {loss} at epoch {epoch + 1}, batch "
            f"{batch + 1}; the run stopped there and nothing was evaluated, exported or "
            f"kept. Lower train.optimizer.learning_rate (now "
            f"{config.train.optimizer.learning_rate}), keep train.optimizer.clipnorm set, "
            f"or check the data for non-finite values."
        )
    return model


def evaluate(task, model, data, config, decoding):
    """The task's evaluation; `metrics["decoding"]` names the decoding strategy used."""
    evaluation = task.evaluate(model, data, config, decoding)
    if decoding is not None:
        evaluation.metrics["decoding"] = serialize_strategy(decoding)
    return evaluation


def _build_and_compile(task, config, data, replicas: int = 1) -> keras.Model:
    model = task.build(config, data)
    set_implementation(model, config.model.implementation)
    loss, metrics = task.loss_and_metrics(config)
    jit_compile = config.train.jit_compile
    model.compile(
        optimizer=build_optimizer(config.train, data.steps_per_epoch, replicas),
        loss=loss,
        metrics=metrics,
        jit_compile="auto" if jit_compile is None else jit_compile,
    )
    return model


def _float32_copy(task, config, data, model: keras.Model) -> keras.Model:
    """The trained weights in a float32 model on one device.

    Evaluation, `model.keras` and the export use it, so that what a
    distributed or mixed-precision run leaves behind loads and serves
    anywhere; the trained variables are float32 under every policy.
    """
    plain = copy.deepcopy(config)
    plain.train.mixed_precision = "float32"
    with distribute.dtype_policy("float32"):
        single = _build_and_compile(task, plain, data)
    single.set_weights(model.get_weights())
    return single


def _worker_dir(base: pathlib.Path, config: PipelineConfig) -> pathlib.Path:
    """A non-chief worker's temporary directory, with the chief's backup.

    The chief's backup of an unfinished run is copied in, so that every
    worker resumes from the same epoch; what the worker writes stays here.
    """
    work_dir = pathlib.Path(tempfile.mkdtemp(prefix="seqkeras-worker-"))
    unfinished = _find_unfinished(base, _resolved(config))
    if unfinished is not None and (unfinished / "backup").is_dir():
        shutil.copytree(unfinished / "backup", work_dir / "backup")
    return work_dir


def _open_run_dir(base: pathlib.Path, config: PipelineConfig) -> pathlib.Path:
    """An unfinished run of the same config to resume, or a new one."""
    resolved = _resolved(config)
    unfinished = _find_unfinished(base, resolved)
    if unfinished is not None:
        return unfinished
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    run_dir = base / f"{stamp}{PARTIAL}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text(resolved, encoding="utf-8")
    return run_dir


def _resolved(config: PipelineConfig) -> str:
    return yaml.safe_dump(to_dict(config), sort_keys=True)


def _find_unfinished(base: pathlib.Path, resolved: str) -> Optional[pathlib.Path]:
    """The newest `.partial` run folder written with the config `resolved`."""
    if base.is_dir():
        for candidate in sorted(base.glob(f"*{PARTIAL}"), reverse=True):
            saved = candidate / "config.yaml"
            if saved.is_file() and saved.read_text(encoding="utf-8") == resolved:
                return candidate
    return None


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
    if name not in metrics:
        return None
    # The same figure for the baselines measured in the run, when they have it.
    baselines = [
        f"{baseline} {figures[name]:.4f}"
        for baseline, figures in metrics.get("baselines", {}).items()
        if name in figures
    ]
    against = f" (baselines: {', '.join(baselines)})" if baselines else ""
    return f"{name} = {metrics[name]:.4f}{against}"
