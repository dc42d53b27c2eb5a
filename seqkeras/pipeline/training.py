"""Optimizer, learning-rate schedule and callbacks from the `train` section."""

import math
import pathlib
from typing import List

import keras

from seqkeras.pipeline.schema import TrainConfig

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


def build_optimizer(train: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The configured optimizer with its gradient clipping and schedule."""
    options = train.optimizer
    clipping = {}
    if options.global_clipnorm is not None:
        clipping["global_clipnorm"] = options.global_clipnorm
    elif options.clipnorm is not None:
        clipping["clipnorm"] = options.clipnorm
    if options.clipvalue is not None:
        clipping["clipvalue"] = options.clipvalue
    learning_rate = _schedule(train, options.learning_rate, max(1, steps_per_epoch))
    return OPTIMIZERS[options.name](learning_rate=learning_rate, **clipping)


def _schedule(train: TrainConfig, learning_rate: float, steps_per_epoch: int):
    schedule = train.schedule
    if schedule.name == "cosine":
        return keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps=train.epochs * steps_per_epoch
        )
    if schedule.name == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            learning_rate,
            decay_steps=max(1, math.ceil(schedule.decay_epochs * steps_per_epoch)),
            decay_rate=schedule.decay_rate,
        )
    return learning_rate


def build_callbacks(train: TrainConfig, run_dir: pathlib.Path) -> List[keras.callbacks.Callback]:
    """Best-model checkpoint, CSV and TensorBoard logs, resume, early stopping.

    `BackupAndRestore` keeps its state in `run_dir/backup`, so rerunning the
    same command after a crash resumes from the last finished epoch.
    """
    logs = run_dir / "logs"
    checkpoints = run_dir / "checkpoints"
    logs.mkdir(parents=True, exist_ok=True)
    checkpoints.mkdir(parents=True, exist_ok=True)
    callbacks = [
        keras.callbacks.BackupAndRestore(str(run_dir / "backup")),
        keras.callbacks.ModelCheckpoint(
            str(checkpoints / "best.weights.h5"),
            monitor="val_loss",
            save_best_only=True,
            save_weights_only=True,
        ),
        keras.callbacks.CSVLogger(str(logs / "training.csv"), append=True),
        keras.callbacks.TensorBoard(str(logs / "tensorboard"), write_graph=False),
    ]
    if train.early_stopping.patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=train.early_stopping.monitor,
                patience=train.early_stopping.patience,
                restore_best_weights=True,
            )
        )
    return callbacks
