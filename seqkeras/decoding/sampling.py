"""Sampling with temperature and top-k, reproducible for a seed."""

import tensorflow as tf

from seqkeras.decoding.loop_utils import check_loop_options
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
        temperature: Positive float. Defaults to `1.0`.
        top_k: Optional positive integer. Defaults to `None` (the whole
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
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise invalid("temperature", "a positive float", temperature)
    check_optional_positive_int("top_k", top_k)
    seed = tf.cast(seed, tf.int64)

    def choose(t, logits):
        logits = logits / temperature
        if top_k is not None:
            k = tf.minimum(top_k, tf.shape(logits)[-1])
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
