"""Beam search with a GNMT length penalty, from stock TensorFlow ops only."""

import numpy as np
import tensorflow as tf

from seqkeras.decoding.loop_utils import batch_size_of
from seqkeras.decoding.loop_utils import check_loop_options
from seqkeras.decoding.loop_utils import first_ids
from seqkeras.decoding.loop_utils import keep_shapes
from seqkeras.decoding.loop_utils import mask_after_lengths
from seqkeras.decoding.loop_utils import step_outputs
from seqkeras.decoding.result import DecodeResult
from seqkeras.decoding.strategy import DecodingStrategy
from seqkeras.decoding.strategy import register_strategy
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid


def length_penalty(lengths, alpha):
    """GNMT length penalty `((5 + length) / 6) ** alpha` (Wu et al., 2016)."""
    return tf.pow((5.0 + tf.cast(lengths, tf.float32)) / 6.0, alpha)


def tile_beams(structure, beam_width):
    """Repeat every tensor of a nested structure `beam_width` times per row.

    `(batch, ...)` becomes `(batch * beam_width, ...)`, the beams of one
    example next to each other.
    """
    return tf.nest.map_structure(lambda x: tf.repeat(x, beam_width, axis=0), structure)


def beam_search(
    step,
    states,
    *,
    start_ids,
    end_id,
    max_length,
    beam_width=4,
    length_penalty_alpha=0.0,
    n_best=1,
    constants=(),
):
    """Decode keeping the `beam_width` best partial sequences of each example.

    At every step each live hypothesis is extended by every token, the
    candidates are scored by their summed log-probability divided by the GNMT
    length penalty `((5 + length) / 6) ** alpha`, and the best `beam_width`
    survive; a hypothesis that produced `end_id` keeps its score and stays in
    the beam. States (any nested structure) are tiled to
    `batch * beam_width` rows at the start and reordered with `tf.gather`
    after each step; `constants` are tiled once. The chosen hypotheses are
    recovered by following parent pointers back with `tf.gather` in a
    `tf.while_loop`, so the graph needs no custom op (TensorFlow Addons'
    `GatherTree`), and loads in stock TensorFlow Serving.

    Graph code: call it inside a `tf.function` (see `greedy_search`).

    Args:
        step, states, start_ids, end_id, max_length, constants: As for
            `seqkeras.decoding.greedy_search`.
        beam_width: Positive integer (or scalar integer tensor), hypotheses
            kept per example. Defaults to `4`.
        length_penalty_alpha: Non-negative float (or scalar float tensor);
            0 ranks by log-probability alone, larger values favour longer
            sequences (GNMT uses 0.6). Defaults to `0.0`.
        n_best: Positive integer up to `beam_width`: how many hypotheses to
            return per example, best first. Defaults to `1`.

    Returns:
        A `seqkeras.decoding.DecodeResult`. With `n_best=1` its shapes are
        those of greedy search; otherwise every field gains an `n_best` axis
        after the batch axis. `scores` are log-probabilities divided by the
        length penalty.

    Raises:
        ValueError: for an invalid argument; the message names it.

    References:
        - [Wu et al., 2016](https://arxiv.org/abs/1609.08144) (length penalty)
    """
    check_loop_options(end_id, max_length)
    k, alpha = _checked_beam_options(beam_width, length_penalty_alpha, n_best)
    batch = batch_size_of(states, start_ids)
    ids = tile_beams(first_ids(start_ids, batch), k)
    states = tile_beams(states, k)
    constants = tile_beams(constants, k)
    # Only the first beam is alive at the start, so the first step's top-k
    # picks k different tokens instead of k copies of the best one.
    initial_log_probs = tf.tile(tf.where(tf.range(k) == 0, 0.0, float("-inf"))[None], [batch, 1])

    def keep_going(t, ids, states, log_probs, finished, *unused):
        return (t < max_length) & ((t < 1) | ~tf.reduce_all(finished))

    def body(t, ids, states, log_probs, finished, lengths, tokens, parents, alignments):
        logits, step_alignments, new_states = step_outputs(step, ids, states, constants)
        vocab = tf.shape(logits)[-1]
        step_log_probs = tf.reshape(tf.nn.log_softmax(logits), [batch, k, vocab])
        # A finished hypothesis continues only with `end_id`, at no cost.
        only_end = tf.one_hot(end_id, vocab, on_value=0.0, off_value=float("-inf"))
        step_log_probs = tf.where(finished[..., None], only_end, step_log_probs)
        totals = tf.reshape(log_probs[..., None] + step_log_probs, [batch, -1])
        new_lengths = lengths + tf.cast(~finished, tf.int32)
        penalties = tf.repeat(length_penalty(new_lengths, alpha), vocab, axis=1)
        _, best = tf.math.top_k(totals / penalties, k)
        parent = best // vocab
        token = tf.cast(best % vocab, tf.int32)

        rows = tf.reshape(parent + tf.range(batch)[:, None] * k, [-1])
        new_states = tf.nest.map_structure(lambda s: tf.gather(s, rows), new_states)
        memory_steps = tf.shape(step_alignments)[-1]
        step_alignments = tf.gather(
            tf.reshape(step_alignments, [batch, k, memory_steps]),
            parent,
            batch_dims=1,
        )
        return (
            t + 1,
            tf.reshape(token, [-1]),
            new_states,
            tf.gather(totals, best, batch_dims=1),
            tf.gather(finished, parent, batch_dims=1) | tf.equal(token, end_id),
            tf.gather(new_lengths, parent, batch_dims=1),
            tokens.write(t, token),
            parents.write(t, parent),
            alignments.write(t, step_alignments),
        )

    def history(dtype, rank):
        return tf.TensorArray(dtype, size=0, dynamic_size=True, element_shape=[None] * rank)

    loop_vars = (
        tf.constant(0),
        ids,
        states,
        initial_log_probs,
        tf.zeros([batch, k], tf.bool),
        tf.zeros([batch, k], tf.int32),
        history(tf.int32, 2),
        history(tf.int32, 2),
        history(tf.float32, 3),
    )
    outputs = tf.while_loop(
        keep_going,
        lambda *loop_vars: keep_shapes(body(*loop_vars), loop_vars),
        loop_vars,
        maximum_iterations=max_length,
    )
    return _best_hypotheses(outputs, alpha, n_best)


def _checked_beam_options(beam_width, length_penalty_alpha, n_best):
    """`(k, alpha)`: the beam width and length penalty, checked, or clamped when tensors.

    Scalar tensors are accepted (an export's signature inputs): they are
    clamped to their ranges in the graph instead of checked here.
    """
    check_positive_int("n_best", n_best)
    if tf.is_tensor(beam_width):
        k = tf.maximum(tf.cast(beam_width, tf.int32), n_best)
    else:
        k = check_positive_int("beam_width", beam_width)
        if n_best > beam_width:
            raise invalid("n_best", f"at most beam_width={beam_width}", n_best)
    alpha = length_penalty_alpha
    if tf.is_tensor(alpha):
        alpha = tf.maximum(tf.cast(alpha, tf.float32), 0.0)
    elif isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha < 0:
        raise invalid("length_penalty_alpha", "a non-negative float", alpha)
    else:
        alpha = float(alpha)
    return k, alpha


def _best_hypotheses(loop_outputs, alpha, n_best: int) -> DecodeResult:
    """The `n_best` final hypotheses of each example, followed back from the loop's end."""
    _, _, _, log_probs, _, lengths, tokens, parents, alignments = loop_outputs
    scores = log_probs / length_penalty(lengths, alpha)
    scores, order = tf.math.top_k(scores, n_best)
    lengths = tf.gather(lengths, order, batch_dims=1)
    tokens, alignments = _backtrack(tokens.stack(), parents.stack(), alignments.stack(), order)
    tokens = mask_after_lengths(tokens, lengths, time_axis=2)
    alignments = mask_after_lengths(alignments, lengths, time_axis=2)
    if n_best == 1:
        return DecodeResult(tokens[:, 0], scores[:, 0], lengths[:, 0], alignments[:, 0])
    return DecodeResult(tokens, scores, lengths, alignments)


def _backtrack(tokens, parents, alignments, beams):
    """Follow parent pointers from the last step back to the first.

    `tokens`, `parents` `(steps, batch, k)` and `alignments`
    `(steps, batch, k, memory)` index hypotheses by their beam at each step;
    `beams` `(batch, n)` picks final hypotheses. Returns their tokens
    `(batch, n, steps)` and alignments `(batch, n, steps, memory)`.
    """
    steps = tf.shape(tokens)[0]

    def body(t, beams, chosen_tokens, chosen_alignments):
        return (
            t - 1,
            tf.gather(parents[t], beams, batch_dims=1),
            chosen_tokens.write(t, tf.gather(tokens[t], beams, batch_dims=1)),
            chosen_alignments.write(t, tf.gather(alignments[t], beams, batch_dims=1)),
        )

    _, _, chosen_tokens, chosen_alignments = tf.while_loop(
        lambda t, *unused: t >= 0,
        body,
        (
            steps - 1,
            beams,
            tf.TensorArray(tf.int32, size=steps, element_shape=[None, None]),
            tf.TensorArray(tf.float32, size=steps, element_shape=[None, None, None]),
        ),
    )
    return (
        tf.transpose(chosen_tokens.stack(), (1, 2, 0)),
        tf.transpose(chosen_alignments.stack(), (1, 2, 0, 3)),
    )


@register_strategy("beam")
class BeamSearch(DecodingStrategy):
    """Beam search with the GNMT length penalty (see `beam_search`).

    Args:
        width: Positive integer, hypotheses kept per example. Defaults to 4.
        length_penalty: Non-negative float, the GNMT `alpha`; 0 ranks by
            log-probability alone. Defaults to `0.0`.
        max_length: Positive integer, the most tokens generated per sequence.
        n_best: Positive integer up to `width`, hypotheses returned per
            example (an axis after the batch when above 1). Defaults to `1`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    strategy = seqkeras.decoding.BeamSearch(5, length_penalty=0.6, max_length=30)
    ```
    """

    signature = "beam_search"

    def __init__(
        self, width: int = 4, length_penalty: float = 0.0, *, max_length: int, n_best: int = 1
    ):
        super().__init__(max_length)
        self.width = check_positive_int("width", width)
        self.n_best = check_positive_int("n_best", n_best)
        if n_best > width:
            raise invalid("n_best", f"at most width={width}", n_best)
        if (
            isinstance(length_penalty, bool)
            or not isinstance(length_penalty, (int, float))
            or not length_penalty >= 0
        ):
            raise invalid("length_penalty", "a non-negative float", length_penalty)
        self.length_penalty = float(length_penalty)

    def search(self, step, states, *, start_ids, end_id, constants=(), seed=None):
        return beam_search(
            step,
            states,
            start_ids=start_ids,
            end_id=end_id,
            max_length=self.max_length,
            beam_width=self.width,
            length_penalty_alpha=self.length_penalty,
            n_best=self.n_best,
            constants=constants,
        )

    def signature_inputs(self):
        return {
            "beam_width": np.int64(self.width),
            "length_penalty": np.float32(self.length_penalty),
        }

    def get_config(self):
        return {
            **super().get_config(),
            "width": self.width,
            "length_penalty": self.length_penalty,
            "n_best": self.n_best,
        }
