"""The loop greedy search and sampling share: one token per sequence per step."""

import tensorflow as tf

from seqkeras.decoding.loop_utils import batch_size_of
from seqkeras.decoding.loop_utils import first_ids
from seqkeras.decoding.loop_utils import keep_shapes
from seqkeras.decoding.loop_utils import step_outputs
from seqkeras.decoding.result import DecodeResult


def token_by_token(step, states, constants, start_ids, choose, *, end_id, max_length):
    """Decode with `choose(t, logits) -> ids`, stopping per sequence at `<end>`.

    A `tf.while_loop` that ends when every sequence has produced `end_id` or
    after `max_length` steps; finished sequences emit padding (0).
    """
    batch = batch_size_of(states, start_ids)
    ids = first_ids(start_ids, batch)

    def keep_going(t, ids, states, finished, *unused):
        # At least one step, so that even an empty batch has a shape.
        return (t < max_length) & ((t < 1) | ~tf.reduce_all(finished))

    def body(t, ids, states, finished, scores, lengths, tokens, alignments):
        logits, step_alignments, new_states = step_outputs(step, ids, states, constants)
        log_probs = tf.nn.log_softmax(logits)
        next_ids = tf.where(finished, 0, tf.cast(choose(t, logits), tf.int32))
        token_log_probs = tf.gather(log_probs, next_ids, batch_dims=1)
        scores += tf.where(finished, 0.0, token_log_probs)
        lengths += tf.cast(~finished, tf.int32)
        step_alignments = tf.where(
            finished[:, None], tf.zeros_like(step_alignments), step_alignments
        )
        return (
            t + 1,
            next_ids,
            new_states,
            finished | tf.equal(next_ids, end_id),
            scores,
            lengths,
            tokens.write(t, next_ids),
            alignments.write(t, step_alignments),
        )

    loop_vars = (
        tf.constant(0),
        ids,
        states,
        tf.zeros([batch], tf.bool),
        tf.zeros([batch], tf.float32),
        tf.zeros([batch], tf.int32),
        tf.TensorArray(tf.int32, size=0, dynamic_size=True, element_shape=[None]),
        tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[None, None]),
    )
    _, _, _, _, scores, lengths, tokens, alignments = tf.while_loop(
        keep_going,
        lambda *loop_vars: keep_shapes(body(*loop_vars), loop_vars),
        loop_vars,
        maximum_iterations=max_length,
    )
    return DecodeResult(
        tokens=tf.transpose(tokens.stack(), (1, 0)),
        scores=scores,
        lengths=lengths,
        alignments=tf.transpose(alignments.stack(), (1, 0, 2)),
    )
