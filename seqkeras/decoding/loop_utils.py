"""Helpers the decoding loops share (not part of the public API)."""

import tensorflow as tf

from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid


def check_loop_options(end_id, max_length):
    if isinstance(end_id, bool) or not isinstance(end_id, int) or end_id < 0:
        raise invalid("end_id", "a non-negative integer token id", end_id)
    check_positive_int("max_length", max_length)


def batch_size_of(states, start_ids):
    """The batch size: from `start_ids` when it is a vector, else the states."""
    start_ids = tf.convert_to_tensor(start_ids)
    if start_ids.shape.rank == 1:
        return tf.shape(start_ids)[0]
    leaves = tf.nest.flatten(states)
    if not leaves:
        raise ValueError(
            "Received an invalid value for `start_ids`: with no states to "
            "read the batch size from, expected a vector of ids, got a scalar."
        )
    return tf.shape(leaves[0])[0]


def first_ids(start_ids, batch_size):
    return tf.broadcast_to(tf.cast(start_ids, tf.int32), [batch_size])


PAD_ID = 0


def step_outputs(step, ids, states, constants):
    """Run the step: float32 logits in which padding can never be chosen.

    Id 0 is padding throughout seqkeras: it marks the end of a finished
    sequence and is masked when fed back, so it is never generated.
    """
    logits, alignments, new_states = step(ids, states, constants)
    new_states = tf.nest.map_structure(tf.convert_to_tensor, new_states)
    tf.nest.assert_same_structure(states, new_states)
    logits = tf.cast(logits, tf.float32)
    is_pad = tf.equal(tf.range(tf.shape(logits)[-1]), PAD_ID)
    logits = tf.where(is_pad, float("-inf"), logits)
    return logits, tf.cast(alignments, tf.float32), new_states


def mask_after_lengths(values, lengths, time_axis):
    """Zero `values` at steps `>= lengths` along `time_axis`."""
    steps = tf.shape(values)[time_axis]
    keep = tf.sequence_mask(lengths, steps)
    while keep.shape.rank < values.shape.rank:
        keep = keep[..., None]
    return tf.where(keep, values, tf.zeros_like(values))


def keep_shapes(new, old):
    """Give the loop's outputs the static shapes its inputs entered with.

    Gathers and Keras layers can lose a statically known batch size, which
    `tf.while_loop` would reject as a shape change.
    """

    def merge(new_value, old_value):
        if isinstance(new_value, tf.Tensor):
            new_value.set_shape(new_value.shape.merge_with(old_value.shape))
        return new_value

    return tf.nest.map_structure(merge, new, old)
