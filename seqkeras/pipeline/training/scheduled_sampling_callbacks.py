"""`train.scheduled_sampling`: the callback that carries it out."""

from typing import List

from seqkeras.models import ScheduledSampling
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.tasks.base import TaskData


def scheduled_sampling_callbacks(config: PipelineConfig, data: TaskData) -> List[ScheduledSampling]:
    """`[ScheduledSampling(...)]` as `train.scheduled_sampling` asks, or `[]` when it is off.

    The schedule counts optimizer steps; an epoch is the training split's
    number of batches (its cardinality: length-bucketed batches outnumber
    examples / batch size). The coins and samples use the run's seed.
    """
    options = config.train.scheduled_sampling
    if options.schedule is None:
        return []
    decay_epochs = options.decay_epochs
    if decay_epochs is None:
        decay_epochs = config.train.epochs if options.schedule == "linear" else 1.0
    batches = int(data.train.cardinality())
    if batches <= 0:  # unknown or infinite
        batches = data.steps_per_epoch
    return [
        ScheduledSampling(
            options.schedule,
            final_probability=options.final_probability,
            decay_steps=decay_epochs * batches,
            k=options.k,
            sampling=options.sampling,
            seed=config.seed,
        )
    ]
