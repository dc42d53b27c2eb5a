"""Optimizer, learning-rate schedule and callbacks from the `train` section."""

import math
import pathlib
from typing import List

import keras
import tensorflow as tf

from seqkeras.pipeline.schema import TrainConfig

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


def build_optimizer(
    train: TrainConfig, steps_per_epoch: int, replicas: int = 1
) -> keras.optimizers.Optimizer:
    """The configured optimizer with its gradient clipping and schedule.

    Under `mixed_float16` it is wrapped in a `LossScaleOptimizer`. With
    several replicas (`replicas` > 1) the gradients are averaged across
    replicas before the optimizer sees them; see `_ReplicaMeanFirst`.
    """
    options = train.optimizer
    clipping = {}
    if options.global_clipnorm is not None:
        clipping["global_clipnorm"] = options.global_clipnorm
    elif options.clipnorm is not None:
        clipping["clipnorm"] = options.clipnorm
    if options.clipvalue is not None:
        clipping["clipvalue"] = options.clipvalue
    # Keras clips the gradient it is given and then sums it over replicas:
    # given the replica mean, a threshold divided by the number of replicas
    # clips exactly as one device clips the whole batch's gradient.
    clipping = {key: value / replicas for key, value in clipping.items()}
    learning_rate = _schedule(train, options.learning_rate, max(1, steps_per_epoch))
    optimizer_class = OPTIMIZERS[options.name]
    if train.mixed_precision == "mixed_float16":
        inner = optimizer_class(learning_rate=learning_rate, **clipping)
        if replicas > 1:
            return _replica_mean_first(keras.optimizers.LossScaleOptimizer)(inner)
        return keras.optimizers.LossScaleOptimizer(inner)
    if replicas > 1:
        optimizer_class = _replica_mean_first(optimizer_class)
    return optimizer_class(learning_rate=learning_rate, **clipping)


class _ReplicaMeanFirst:
    """Averages the gradients across replicas before applying them.

    Keras 3 clips each replica's gradient before it sums them, which is not
    what one device does with the same global batch (and a loss-scale
    optimizer would decide on each replica's own gradients). Averaging first
    gives every replica the batch's gradient; Keras's later sum over
    replicas of the clipped mean, with the clipping thresholds divided by
    the number of replicas, is then the single-device update. It costs one
    more all-reduce per step.
    """

    def apply(self, grads, trainable_variables=None):
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            grads = [None if g is None else tf.convert_to_tensor(g) for g in grads]
            present = [g for g in grads if g is not None]
            averaged = iter(context.all_reduce(tf.distribute.ReduceOp.MEAN, present))
            grads = [None if g is None else next(averaged) for g in grads]
        return super().apply(grads, trainable_variables)


def _replica_mean_first(optimizer_class):
    return type(optimizer_class.__name__, (_ReplicaMeanFirst, optimizer_class), {})


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
