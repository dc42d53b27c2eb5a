"""`seqkeras run`: data -> build -> fit -> evaluate -> export -> report.

The run folder is written as `runs/<name>/<timestamp>.partial/` and renamed
to `runs/<name>/<timestamp>/` only when every stage has finished, so a
finished-looking folder is always complete. Rerunning the same command after
a crash finds the unfinished folder of the same config and resumes it: from
the trained weights if training had ended, else from its last completed
epoch (`seqkeras/pipeline/run_folders/epoch_backup.py`). A folder whose run is still
alive is never resumed (`seqkeras/pipeline/run_folders/folder_life.py`).

Under a multi-worker strategy every worker runs this function; only the
chief writes the run folder. The other workers keep their checkpoints and
logs in a temporary directory (removed at the end), restore from the chief's
backup when the run resumes, and stop after training.
"""

import copy
import dataclasses
import logging
import math
import pathlib
import shutil
import signal
from typing import Iterable
from typing import Optional
from typing import Tuple

import keras
import tensorflow as tf

from seqkeras import report
from seqkeras.decoding import DecodingStrategy
from seqkeras.decoding import serialize_strategy
from seqkeras.errors import RunInterrupted
from seqkeras.errors import TrainingDiverged
from seqkeras.layers import set_implementation
from seqkeras.metrics.evaluation import METRICS_FILE
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.run_folders.epoch_backup import restore_backup
from seqkeras.pipeline.run_folders.epoch_backup import save_weights_atomically
from seqkeras.pipeline.run_folders.epoch_backup import truncate_log
from seqkeras.pipeline.run_folders.epoch_backup import unreadable
from seqkeras.pipeline.run_folders.folder_life import BACKUP
from seqkeras.pipeline.run_folders.folder_life import TRAINED_WEIGHTS
from seqkeras.pipeline.run_folders.folder_life import check_output_dir
from seqkeras.pipeline.run_folders.folder_life import finish
from seqkeras.pipeline.run_folders.folder_life import open_run_dir
from seqkeras.pipeline.run_folders.folder_life import resolved_config
from seqkeras.pipeline.run_folders.folder_life import resume_hint
from seqkeras.pipeline.run_folders.folder_life import worker_dir
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.vocabularies import save_vocabularies
from seqkeras.pipeline.training import distribute
from seqkeras.pipeline.training.fit_setup import DivergenceCheck
from seqkeras.pipeline.training.fit_setup import build_callbacks
from seqkeras.pipeline.training.fit_setup import build_optimizer
from seqkeras.pipeline.training.scheduled_sampling_callbacks import scheduled_sampling_callbacks
from seqkeras.utils.atomic_files import replaced_atomically

logger = logging.getLogger("seqkeras")


def check_pipeline(config: PipelineConfig) -> Tuple[Task, Optional[DecodingStrategy]]:
    """Every check of `config` a run makes before it starts; `seqkeras run --workers` too.

    The task's checks, its decoding strategy's (built here) and the
    distribution's, so that a config is refused the same way whether one
    process runs it or a launcher is about to start workers for it.

    Returns:
        `(task, strategy)`: the task, and the decoding strategy it evaluates
        and serves with (`None` for tasks that do not generate).

    Raises:
        ConfigError: naming the key of the first problem found.
    """
    task = get_task(config.task)
    task.check(config)
    strategy = task.strategy(config)
    distribute.check_distribute(config)
    return task, strategy


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
    task, decoding = check_pipeline(config)
    strategy = distribute.create_strategy(config.train.distribute)
    distribute.check_replicas(config, strategy)
    chief = distribute.is_chief(strategy)
    if chief:
        check_output_dir(output_dir, config.name)
    _seed(config)
    # Data problems (a missing or malformed file) stop the run before its
    # folder exists.
    data = task.prepare(config, smoke)
    if strategy is not None:
        data.train = distribute.shard_by_data(data.train)
        data.validation = distribute.shard_by_data(data.validation)
    base = pathlib.Path(output_dir) / config.name
    if not chief:
        work_dir = worker_dir(base, resolved_config(config), smoke)
        try:
            _train(task, config, data, strategy, work_dir, verbose)
        except KeyboardInterrupt:
            raise RunInterrupted(
                "interrupted; this worker stopped. Rerun the same command on every worker "
                "to resume from the chief's last backup."
            ) from None
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        return None
    run_dir, lock = open_run_dir(base, resolved_config(config), smoke)
    try:
        return _complete(task, config, data, strategy, decoding, run_dir, lock, verbose)
    except KeyboardInterrupt as interrupt:
        # SIGTERM or SIGHUP (`kill PID`, a closed terminal) as Ctrl-C, with its own exit code.
        number = getattr(interrupt, "signal_number", signal.SIGINT)
        what = "interrupted" if number == signal.SIGINT else f"stopped by {interrupt}"
        raise RunInterrupted(f"{what}; {resume_hint(run_dir)}.", exit_code=128 + number) from None
    finally:
        lock.release()  # a failed run's folder is resumed at once by the next


def _complete(task, config, data, strategy, decoding, run_dir, lock, verbose) -> pathlib.Path:
    """Train (or resume), evaluate, export and report into the locked `run_dir`."""
    save_vocabularies(run_dir, data.vocabularies)
    model = _train(task, config, data, strategy, run_dir, verbose)
    if strategy is not None or config.train.mixed_precision != "float32":
        model = _float32_copy(task, config, data, model)

    evaluation = evaluate(task, model, data, config, decoding)
    evaluation.write(run_dir / METRICS_FILE)
    report.write_predictions(run_dir / "predictions.tsv", evaluation.predictions)
    _save_model(model, run_dir / "model.keras")
    if config.export.enabled:
        task.export(model, data, config, run_dir / "export", decoding)
    report.plot_training_curves(run_dir / "logs" / "training.csv", run_dir / "plots")
    report.plot_attention(evaluation.attention, run_dir / "plots")
    if evaluation.confusion is not None:
        confusion = evaluation.confusion
        report.plot_confusion_matrix(confusion.counts, run_dir / "plots", confusion.class_names)
    return finish(run_dir, lock)


def _train(task, config, data, strategy, run_dir, verbose) -> keras.Model:
    """Build and compile (inside the strategy's scope) and fit.

    A resumed folder's trained weights skip training; otherwise its newest
    readable backup sets the first epoch, and its CSV log is cut to match.
    The trained weights are saved before evaluation starts.
    """
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    with distribute.training_scope(config, strategy):
        model = _build_and_compile(task, config, data, replicas)
        if _load_trained(model, run_dir / TRAINED_WEIGHTS):
            logger.info("%s: training had finished; going on to evaluation.", run_dir)
            return model
        initial_epoch = restore_backup(model, run_dir / BACKUP)
    truncate_log(run_dir / "logs" / "training.csv", initial_epoch)
    if initial_epoch:
        logger.info("%s: resuming training after epoch %d.", run_dir, initial_epoch)
    divergence = DivergenceCheck()
    model.fit(
        data.train,
        validation_data=data.validation,
        epochs=config.train.epochs,
        initial_epoch=initial_epoch,
        # Scheduled sampling first: the probability it logs reaches the CSV log.
        callbacks=[
            divergence,
            *scheduled_sampling_callbacks(config, data),
            *build_callbacks(config.train, run_dir),
        ]
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
    save_weights_atomically(model, run_dir / TRAINED_WEIGHTS)
    shutil.rmtree(run_dir / BACKUP, ignore_errors=True)  # the trained weights replace it
    return model


def _load_trained(model: keras.Model, path: pathlib.Path) -> bool:
    """Load the weights a finished training saved; False if there are none."""
    if not path.is_file():
        return False
    problem = unreadable(path)
    if problem is not None:
        logger.warning("%s cannot be read (%s); training again.", path, problem)
        path.unlink()
        return False
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(path)
    return True


def evaluate(task, model, data, config, decoding) -> Evaluation:
    """The task's evaluation, naming the decoding strategy used (if any).

    Raises:
        TrainingDiverged: when the headline figure is NaN (the model's outputs
            are not numbers), rather than a `metrics.json` of NaN.
    """
    evaluation = task.evaluate(model, data, config, decoding)
    if decoding is not None:
        evaluation = dataclasses.replace(evaluation, decoding=serialize_strategy(decoding))
    value = evaluation.headline_value
    if value is not None and math.isnan(value):
        raise TrainingDiverged(
            f"evaluation gave {evaluation.headline} = nan on the test split: the model's "
            f"outputs are not numbers, so nothing was written as a result. Check the data "
            f"for values near float32's limit, or lower train.optimizer.learning_rate."
        )
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


def _seed(config: PipelineConfig) -> None:
    keras.utils.set_random_seed(config.seed)
    if config.train.deterministic:
        tf.config.experimental.enable_op_determinism()


def _save_model(model: keras.Model, path: pathlib.Path) -> None:
    with replaced_atomically(path, temporary=path.with_name("model.tmp.keras")) as written:
        model.save(written)


def headline(run_dir: pathlib.Path) -> Optional[str]:
    """`name = value` of the run's headline metric, for the CLI summary."""
    evaluation = Evaluation.load(run_dir / METRICS_FILE)
    name = evaluation.headline
    if name not in evaluation.scores:
        return None
    # The same figure for the baselines measured in the run, when they have it.
    baselines = [
        f"{baseline} {figures[name]:.4f}"
        for baseline, figures in evaluation.baselines.items()
        if name in figures
    ]
    against = f" (baselines: {', '.join(baselines)})" if baselines else ""
    return f"{name} = {evaluation.scores[name]:.4f}{against}"
