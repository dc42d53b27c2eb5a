"""Training on several devices or hosts, and in mixed precision.

seqkeras invents no distribution of its own: `train.distribute.strategy`
picks a `tf.distribute` strategy (`MirroredStrategy` for the devices of one
host, `MultiWorkerMirroredStrategy` for hosts named by the standard
`TF_CONFIG` environment variable, `TPUStrategy`), and `train.mixed_precision`
a Keras dtype policy. Keras's `model.fit` distributes each global batch (the
configured `data.batch_size`) across the replicas and sums their gradients.

Datasets are sharded by data (`tf.data.experimental.AutoShardPolicy.DATA`):
every worker reads the whole source and keeps its share of each global batch.
FILE sharding is not used because a pipeline's splits are encoded, padded
and bucketed in memory after reading, and the built-in datasets are a single
file per split, which TensorFlow's AUTO policy would fall back to DATA on
anyway.
"""

import contextlib
import json
import os
from typing import Iterator
from typing import Optional

import keras
import tensorflow as tf

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.schema import DistributeConfig
from seqkeras.pipeline.config.schema import PipelineConfig


def check_distribute(config: PipelineConfig) -> None:
    """Reject combinations of `train.distribute` that cannot run."""
    distribute, train = config.train.distribute, config.train
    if distribute.devices and distribute.strategy != "mirrored":
        raise ConfigError(
            f"train.distribute.devices: got {distribute.devices!r}; devices are "
            f"listed for train.distribute.strategy 'mirrored' only, not "
            f"{distribute.strategy!r} (multi_worker takes its hosts from TF_CONFIG)."
        )
    if distribute.strategy == "tpu" and train.mixed_precision == "mixed_float16":
        raise ConfigError(
            "train.mixed_precision: got 'mixed_float16'; with train.distribute."
            "strategy 'tpu' use mixed_bfloat16 (TPUs compute in bfloat16)."
        )
    replicas = len(distribute.devices)
    if replicas and config.data.batch_size % replicas:
        raise ConfigError(
            f"data.batch_size: got {config.data.batch_size}; the global batch is "
            f"divided across the {replicas} devices of train.distribute.devices, "
            f"so it must be a multiple of {replicas}."
        )


def create_strategy(distribute: DistributeConfig) -> Optional[tf.distribute.Strategy]:
    """The configured strategy, or `None` for `strategy: none`.

    Call it before any other TensorFlow work: a multi-worker strategy
    configures collective operations, which TensorFlow allows only at
    program startup.
    """
    if distribute.strategy == "mirrored":
        return tf.distribute.MirroredStrategy(_known_devices(distribute.devices))
    if distribute.strategy == "multi_worker":
        _check_tf_config()
        return _MultiWorkerMirroredStrategy()
    if distribute.strategy == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError) as error:
            raise ConfigError(
                f"train.distribute.strategy: got 'tpu', but no TPU was found ({error})."
            ) from None
        return tf.distribute.TPUStrategy(resolver)
    return None


class _MultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
    """`MultiWorkerMirroredStrategy` whose `reduce` takes what Keras 3 gives it.

    Keras 3's `fit` reduces its first batch, a nested structure, to build the
    model, and reduces scalar metrics along `axis=0`; across several workers
    the strategy rejects both (keras-team/keras#20585, tensorflow#72388). A
    structure is reduced leaf by leaf, and a scalar, which has no axis to
    reduce along, across replicas only; everything else is unchanged.
    """

    def reduce(self, reduce_op, value, axis):
        parent = super().reduce

        def reduce_leaf(leaf):
            local = self.experimental_local_results(leaf)[0]
            scalar = getattr(local, "shape", None) is not None and local.shape.rank == 0
            return parent(reduce_op, leaf, None if scalar else axis)

        return tf.nest.map_structure(reduce_leaf, value)


def _known_devices(devices):
    if not devices:
        return None
    visible = tf.config.list_logical_devices()
    known = {
        tf.DeviceSpec.from_string(d.name).replace(job=None, replica=None, task=None)
        for d in visible
    }
    for device in devices:
        try:
            spec = tf.DeviceSpec.from_string(device)
        except ValueError:
            spec = None
        if spec is None or spec.device_type is None or spec not in known:
            names = ", ".join(sorted(f"/{d.device_type.lower()}:{d.device_index}" for d in known))
            raise ConfigError(
                f"train.distribute.devices: got {device!r}; visible devices: {names}."
            )
    return list(devices)


def _check_tf_config() -> None:
    text = os.environ.get("TF_CONFIG")
    if not text:
        return  # one worker on its own: TensorFlow runs it locally
    try:
        values = json.loads(text)
        cluster, task = values["cluster"], values["task"]
        task["type"], task["index"], dict(cluster)
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f'TF_CONFIG: expected JSON like {{"cluster": {{"worker": ["host:port", '
            f'...]}}, "task": {{"type": "worker", "index": 0}}}}; could not read '
            f"{text!r} ({type(error).__name__}: {error})."
        ) from None


def check_replicas(config: PipelineConfig, strategy) -> None:
    """The global batch must divide evenly across the strategy's replicas."""
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    if config.data.batch_size % replicas:
        raise ConfigError(
            f"data.batch_size: got {config.data.batch_size}; the global batch is "
            f"divided across the {replicas} replicas of train.distribute.strategy "
            f"{config.train.distribute.strategy!r}, so it must be a multiple of {replicas}."
        )


def is_chief(strategy: Optional[tf.distribute.Strategy]) -> bool:
    """Whether this process writes the run folder (the only one, or the chief)."""
    return is_chief_task(getattr(strategy, "cluster_resolver", None))


def is_chief_task(resolver) -> bool:
    """Whether the task of a cluster resolver is the chief.

    The chief is the `chief` task of `TF_CONFIG` or, when the cluster has
    none, worker 0, as in TensorFlow's multi-worker guides; a process with
    no cluster is its own chief.
    """
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    cluster = resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in cluster


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """`dataset` with DATA auto-sharding, for `experimental_distribute_dataset`."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


@contextlib.contextmanager
def dtype_policy(name: str) -> Iterator[None]:
    """Layers built inside use the Keras dtype policy `name`.

    Under `mixed_float16` and `mixed_bfloat16` layers keep float32 variables
    and compute in half precision; the builders keep their output layers in
    float32 so that softmax and the loss are computed in float32, and Keras's
    `compile` wraps the optimizer in a `LossScaleOptimizer` under
    `mixed_float16`.
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


@contextlib.contextmanager
def training_scope(config: PipelineConfig, strategy) -> Iterator[None]:
    """Where the model, optimizer and metrics are built and compiled."""
    with dtype_policy(config.train.mixed_precision):
        if strategy is None:
            yield
        else:
            with strategy.scope():
                yield
