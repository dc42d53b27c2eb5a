"""Optimizer, learning-rate schedule and callbacks from the `train` section."""

import math
import pathlib
from typing import List

import keras
import tensorflow as tf

from seqkeras.pipeline.config.schema import TrainConfig
from seqkeras.pipeline.run_folders.epoch_backup import DiskRoomCheck
from seqkeras.pipeline.run_folders.epoch_backup import EpochBackup
from seqkeras.pipeline.training.optimizers import OPTIMIZERS


def build_optimizer(
    train: TrainConfig, steps_per_epoch: int, replicas: int = 1
) -> keras.optimizers.Optimizer:
    """The configured optimizer with its gradient clipping and schedule.

    Under `mixed_float16` it is wrapped in a `LossScaleOptimizer`. With
    several replicas (`replicas` > 1) gradients are clipped after they are
    summed over the replicas, as one device clips the global batch's; see
    `_ClipAfterSum`.
    """
    options = train.optimizer
    clipping = {}
    if options.global_clipnorm is not None:
        clipping["global_clipnorm"] = options.global_clipnorm
    elif options.clipnorm is not None:
        clipping["clipnorm"] = options.clipnorm
    if options.clipvalue is not None:
        clipping["clipvalue"] = options.clipvalue
    learning_rate = _schedule(train, options.learning_rate, max(1, steps_per_epoch))
    optimizer_class = OPTIMIZERS[options.name]
    if replicas > 1:
        optimizer_class = type(optimizer_class.__name__, (_ClipAfterSum, optimizer_class), {})
    optimizer = optimizer_class(learning_rate=learning_rate, **clipping)
    if train.mixed_precision == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


class _ClipAfterSum:
    """Sums the gradients over replicas before the optimizer clips them.

    Keras 3 clips each replica's gradient and then sums them over the
    replicas, which is not what one device does with the same global batch.
    Here the first replica receives the sum and the others nothing (zeros,
    or no rows of a sparse gradient): Keras then clips the whole batch's
    gradient once and its own sum over replicas changes nothing, so the
    update is the single-device one. It costs one more all-reduce per step.
    """

    def apply(self, grads, trainable_variables=None):
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            grads = _sum_on_first_replica(context, grads)
        return super().apply(grads, trainable_variables)


def _sum_on_first_replica(context, grads):
    present = [g for g in grads if g is not None]
    summed = iter(context.all_reduce(tf.distribute.ReduceOp.SUM, present))
    first = tf.equal(context.replica_id_in_sync_group, 0)
    result = []
    for gradient in grads:
        if gradient is None:
            result.append(None)
            continue
        total = next(summed)
        if isinstance(total, tf.IndexedSlices):
            rows = tf.where(first, tf.shape(total.indices)[0], 0)
            total = tf.IndexedSlices(total.values[:rows], total.indices[:rows], total.dense_shape)
        else:
            total = tf.where(first, total, tf.zeros_like(total))
        result.append(total)
    return result


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


class DivergenceCheck(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite loss and remembers where.

    Keras's `TerminateOnNaN` stops too, but then the run would go on to
    evaluate and export a model of NaN weights; the runner reads
    `diverged_at` after `fit` and stops the run instead.
    """

    def __init__(self):
        super().__init__()
        self.diverged_at = None  # (epoch, batch, loss), 0-based
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_at = (self._epoch, batch, float(loss))
            self.model.stop_training = True


def build_callbacks(train: TrainConfig, run_dir: pathlib.Path) -> List[keras.callbacks.Callback]:
    """Best-model checkpoint, CSV and TensorBoard logs, early stopping, backups.

    `EpochBackup` keeps the state of the last finished epochs in
    `run_dir/backup`, so rerunning the same command after a crash resumes
    from there (`restore_backup`). It comes last: an epoch is backed up only
    once it is logged, so the log of a resumed run never misses an epoch.
    """
    logs = run_dir / "logs"
    checkpoints = run_dir / "checkpoints"
    logs.mkdir(parents=True, exist_ok=True)
    checkpoints.mkdir(parents=True, exist_ok=True)
    callbacks = [
        DiskRoomCheck(run_dir),  # room for the checkpoint and the backup, before either
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
                verbose=1,  # "Epoch N: early stopping", "Restoring ... best epoch: M."
            )
        )
    callbacks.append(EpochBackup(run_dir / "backup"))
    return callbacks
