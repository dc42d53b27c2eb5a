"""Sampling with temperature and top-k, reproducible for a seed."""

import numpy as np
import tensorflow as tf

from seqkeras.decoding.loop_utils import check_loop_options
from seqkeras.decoding.strategy import DecodingStrategy
from seqkeras.decoding.strategy import register_strategy
from seqkeras.decoding.token_loop import token_by_token
from seqkeras.utils.arguments import check_optional_positive_int
from seqkeras.utils.arguments import invalid


def sample(
    step,
    states,
    *,
    start_ids,
    end_id,
    max_length,
    temperature=1.0,
    top_k=None,
    seed=0,
    constants=(),
):
    """Decode by drawing each token from the step's softmax.

    The logits are divided by `temperature` (below 1 sharpens the
    distribution, towards greedy as it approaches 0; above 1 flattens it),
    and with `top_k` only the `k` most likely tokens can be drawn. Draws use
    TensorFlow's stateless random ops with the seed `(seed, step)`, so the
    same seed always gives the same sequences, in a `tf.function` or an
    exported SavedModel alike.

    Graph code: call it inside a `tf.function` (see `greedy_search`).

    Args:
        step, states, start_ids, end_id, max_length, constants: As for
            `seqkeras.decoding.greedy_search`.
        temperature: Positive float (or scalar float tensor). Defaults to
            `1.0`.
        top_k: Optional positive integer (or scalar integer tensor, where 0
            means the whole vocabulary). Defaults to `None` (the whole
            vocabulary).
        seed: Integer (or scalar integer tensor) seed. Defaults to `0`.

    Returns:
        A `seqkeras.decoding.DecodeResult`; `scores` are the summed
        log-probabilities of the drawn tokens under the untempered model.

    Raises:
        ValueError: for an invalid `temperature`, `top_k`, `end_id` or
            `max_length`.
    """
    check_loop_options(end_id, max_length)
    # Scalar tensors are accepted too (an export's signature inputs): a
    # temperature tensor is used as given, a `top_k` tensor of 0 or less
    # means the whole vocabulary.
    if tf.is_tensor(temperature):
        temperature = tf.cast(temperature, tf.float32)
    elif (
        isinstance(temperature, bool)
        or not isinstance(temperature, (int, float))
        or not temperature > 0
    ):
        raise invalid("temperature", "a positive float", temperature)
    if not tf.is_tensor(top_k):
        check_optional_positive_int("top_k", top_k)
    seed = tf.cast(seed, tf.int64)

    def choose(t, logits):
        logits = logits / temperature
        if top_k is not None:
            vocab = tf.shape(logits)[-1]
            k = tf.cast(top_k, tf.int32)
            k = tf.where(k > 0, tf.minimum(k, vocab), vocab)
            kth_best = tf.math.top_k(logits, k).values[:, -1:]
            logits = tf.where(logits < kth_best, float("-inf"), logits)
        draws = tf.random.stateless_categorical(
            logits, 1, seed=tf.stack([seed, tf.cast(t, tf.int64)]), dtype=tf.int32
        )
        return draws[:, 0]

    return token_by_token(
        step,
        states,
        constants,
        start_ids,
        choose,
        end_id=end_id,
        max_length=max_length,
    )


@register_strategy("sample")
class Sampling(DecodingStrategy):
    """Draws each token from the softmax, reproducibly for a seed (see `sample`).

    Args:
        temperature: Positive float; below 1 sharpens the distribution.
            Defaults to `1.0`.
        top_k: Optional positive integer: draw among the `k` most likely
            tokens only. Defaults to `None` (the whole vocabulary).
        seed: Non-negative integer seed of the draws. Defaults to `0`.
        max_length: Positive integer, the most tokens generated per sequence.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    strategy = seqkeras.decoding.Sampling(0.8, top_k=20, seed=1, max_length=200)
    ```
    """

    signature = "sample"

    def __init__(self, temperature: float = 1.0, top_k=None, seed: int = 0, *, max_length: int):
        super().__init__(max_length)
        if (
            isinstance(temperature, bool)
            or not isinstance(temperature, (int, float))
            or not temperature > 0
        ):
            raise invalid("temperature", "a positive float", temperature)
        self.temperature = float(temperature)
        self.top_k = check_optional_positive_int("top_k", top_k)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise invalid("seed", "a non-negative integer", seed)
        self.seed = seed

    def search(self, step, states, *, start_ids, end_id, constants=(), seed=None):
        return sample(
            step,
            states,
            start_ids=start_ids,
            end_id=end_id,
            max_length=self.max_length,
            temperature=self.temperature,
            top_k=self.top_k,
            seed=self.seed if seed is None else seed,
            constants=constants,
        )

    def signature_inputs(self):
        return {
            "seed": np.int64(self.seed),
            "temperature": np.float32(self.temperature),
            "top_k": np.int64(self.top_k or 0),  # 0: no top-k
        }

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "top_k": self.top_k,
            "seed": self.seed,
        }
