"""Scheduled sampling: a `fit` callback that trains on the model's own predictions."""

import math
from typing import Optional

import keras
from keras import ops

from seqkeras.layers.attention.scheduled_sampling_decoder import SAMPLING
from seqkeras.layers.dropout_masks import check_seed
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import invalid

#: The schedules of Bengio et al. (2015), by name.
SCHEDULES = ("linear", "exponential", "inverse_sigmoid")


class ScheduledSampling(keras.callbacks.Callback):
    """Trains an attention generator on its own predictions, more and more often.

    Scheduled sampling (Bengio et al. 2015) for the models of
    `seqkeras.models.build_seq2seq` and `build_one_to_many`. While `fit`
    runs with this callback, at every decoder step after the first each
    training sequence reads, with probability `p`, the model's prediction at
    the previous step (see `seqkeras.layers.ScheduledSamplingDecoder`)
    instead of the true previous token. `p` grows with the optimizer's step
    count `i`: with `x = i / decay_steps` and `f = final_probability`,

    - `"linear"`: `p = f * min(1, x)`, reaching `f` after `decay_steps`;
    - `"exponential"`: `p = min(f, 1 - k ** x)`, `0 < k < 1`;
    - `"inverse_sigmoid"`: `p = min(f, 1 - k / (k + exp(x / k)))`, `k >= 1`
      (`p` starts at `1 / (k + 1)`).

    These are Bengio et al.'s decays of the probability `1 - p` of reading
    the truth, with their floor `1 - f`. The step count is the optimizer's
    `iterations`, saved with its state, so training resumed from saved
    weights and optimizer state continues the schedule where it was. `p` is
    computed in the training graph at every step (also across replicas and
    under XLA); at the end of every epoch the callback adds the probability
    reached to the logs as `sampling_probability`, for `CSVLogger` and
    TensorBoard when it comes before them in the callback list.

    Only training is affected: validation loss, `evaluate` and `predict`
    stay teacher-forced, and generation and exports use the trained weights
    as always. The model reads the truth again when `fit` returns.

    Args:
        schedule: `"linear"`, `"exponential"` or `"inverse_sigmoid"`.
            Defaults to `"linear"`.
        final_probability: Float in [0, 1], the highest probability of
            reading a prediction. Defaults to `0.25`.
        decay_steps: Positive number of optimizer steps per unit of `x`:
            for `"linear"`, the steps to reach `final_probability`. Defaults
            to `1000`.
        k: The constant of `"exponential"` (in (0, 1)) and
            `"inverse_sigmoid"` (>= 1); `None` for `"linear"`. Defaults to
            `None`.
        sampling: `"argmax"` (the previous step's most likely token, what
            greedy and beam decoding follow) or `"sample"` (a token drawn
            from the previous step's softmax, as in Bengio et al. and
            TensorFlow Addons). Defaults to `"argmax"`.
        seed: Integer seed of the coins and samples. Defaults to `None`.

    Raises:
        ValueError: for an invalid argument, naming it; at the start of
            `fit`, if the model is not one `build_seq2seq` or
            `build_one_to_many` made.

    Example:

    ```python
    model = seqkeras.models.build_seq2seq(40, 30, units=32)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    sampling = seqkeras.models.ScheduledSampling(
        "inverse_sigmoid", final_probability=0.25, decay_steps=100, k=5
    )
    print(float(sampling.probability(1000)))  # 0.25
    # model.fit(inputs, targets, epochs=10, callbacks=[sampling])
    ```

    References:
        - [Bengio et al., 2015](https://arxiv.org/abs/1506.03099)
    """

    def __init__(
        self,
        schedule: str = "linear",
        final_probability: float = 0.25,
        decay_steps: float = 1000,
        k: Optional[float] = None,
        sampling: str = "argmax",
        seed: Optional[int] = None,
    ):
        super().__init__()
        self.schedule = check_choice("schedule", schedule, SCHEDULES)
        self.final_probability = _check_number(
            "final_probability", final_probability, "a float in [0, 1]", lambda v: 0 <= v <= 1
        )
        self.decay_steps = _check_number(
            "decay_steps", decay_steps, "a positive number", lambda v: v > 0
        )
        self.k = _check_k(schedule, k)
        self.sampling = check_choice("sampling", sampling, SAMPLING)
        self.seed = check_seed(seed)

    def probability(self, step):
        """The probability of reading a prediction at optimizer step `step`.

        Args:
            step: Integer or integer scalar tensor (such as the optimizer's
                `iterations`), 0 at the first step.

        Returns:
            A float32 scalar tensor.
        """
        x = ops.cast(step, "float32") / self.decay_steps
        final = self.final_probability
        if self.schedule == "linear":
            return final * ops.minimum(1.0, x)
        if self.schedule == "exponential":
            truth = ops.power(self.k, x)
        else:
            # exp overflows to inf for large x, and the quotient to 0: p = f.
            truth = self.k / (self.k + ops.exp(x / self.k))
        return ops.minimum(final, 1.0 - truth)

    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "sampled_logits"):
            raise invalid(
                "model",
                "a model built by build_seq2seq or build_one_to_many (ScheduledSampling "
                "trains their attention decoder)",
                f"{self.model.name!r} ({type(self.model).__name__})",
            )
        self.model.scheduled_sampling = self

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["sampling_probability"] = float(self.probability(self.model.optimizer.iterations))

    def on_train_end(self, logs=None):
        self.model.scheduled_sampling = None


def _check_number(name, value, expected, valid):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(name, expected, value)
    if not math.isfinite(value) or not valid(value):
        raise invalid(name, expected, value)
    return float(value)


def _check_k(schedule, k):
    if schedule == "linear":
        if k is not None:
            raise invalid("k", "None with schedule='linear' (k shapes the other schedules)", k)
        return None
    if schedule == "exponential":
        expected, valid = "a float in (0, 1) for schedule='exponential'", lambda v: 0 < v < 1
    else:
        expected, valid = "a number >= 1 for schedule='inverse_sigmoid'", lambda v: v >= 1
    return _check_number("k", k, expected, valid)
