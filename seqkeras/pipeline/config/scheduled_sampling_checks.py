"""`train.scheduled_sampling`: the checks of its options, naming the key."""

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.utils.shown import shown

KEY = "train.scheduled_sampling"


def check_scheduled_sampling(config: PipelineConfig, supported: bool) -> None:
    """Reject scheduled-sampling options that cannot run, naming the key.

    Args:
        config: The pipeline's config.
        supported: Whether the task trains an attention decoder (seq2seq,
            caption).

    Raises:
        ConfigError: for a task without an attention decoder, a `k` missing,
            out of range or given to `linear`, or `decay_epochs` of 0.
    """
    options = config.train.scheduled_sampling
    schedule = options.schedule
    if schedule is None:
        return
    if not supported:
        raise ConfigError(
            f"{KEY}.schedule: got {shown(schedule)}; scheduled sampling trains the attention "
            f"decoder of the seq2seq and caption tasks, not {config.task!r}. Remove the key."
        )
    if options.decay_epochs == 0:
        raise ConfigError(f"{KEY}.decay_epochs: got 0.0; expected a positive number of epochs.")
    k = options.k
    if schedule == "linear" and k is not None:
        raise ConfigError(
            f"{KEY}.k: got {shown(k)}; the linear schedule has no k (it grows for decay_epochs). "
            f"Remove the key, or choose exponential (0 < k < 1) or inverse_sigmoid (k >= 1)."
        )
    if schedule == "exponential" and (k is None or not 0 < k < 1):
        raise ConfigError(
            f"{KEY}.k: got {shown(k)}; the exponential schedule needs 0 < k < 1 (the "
            f"probability of reading the truth after decay_epochs, before the floor "
            f"1 - final_probability), such as 0.5."
        )
    if schedule == "inverse_sigmoid" and (k is None or k < 1):
        raise ConfigError(
            f"{KEY}.k: got {shown(k)}; the inverse_sigmoid schedule needs k >= 1 (the truth is "
            f"read half the time after about k * ln(k) * decay_epochs epochs), such as 5."
        )
