"""`run_step_loop`: Keras's recurrent loop over a plain step function."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from seqkeras.layers.step_loop import run_step_loop

# Sequence 0 is post-padded, 1 pre-padded, 2 has a hole in the middle.
MASK = np.array([[1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 1, 1]], dtype=bool)


def running_sum_step(x_t, states):
    # Two outputs per step (the running sum and the step's input doubled)
    # and one state, the running sum.
    (total,) = states
    total = total + x_t
    return (total, 2.0 * x_t), (total,)


def numpy_running_sum(x, mask, zero_output_for_mask, go_backwards):
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    total = np.zeros_like(x[:, 0])
    sums, doubled, shown_sum, shown_doubled = [], [], np.zeros_like(total), np.zeros_like(total)
    for t in steps:
        keep = mask[:, t : t + 1]
        total = np.where(keep, total + x[:, t], total)
        if zero_output_for_mask:
            shown_sum = np.where(keep, total, 0.0)
            shown_doubled = np.where(keep, 2.0 * x[:, t], 0.0)
        else:  # masked steps repeat the last output, which starts at zeros
            shown_sum = np.where(keep, total, shown_sum)
            shown_doubled = np.where(keep, 2.0 * x[:, t], shown_doubled)
        sums.append(shown_sum)
        doubled.append(shown_doubled)
    return np.stack(sums, 1), np.stack(doubled, 1), total


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_matches_a_numpy_loop_with_mask(zero_output_for_mask, go_backwards):
    x = np.random.default_rng(0).normal(size=(3, 4, 2)).astype("float32")
    last, (sums, doubled), [total] = run_step_loop(
        running_sum_step,
        x,
        [ops.zeros((3, 2))],
        MASK,
        state_size=[2],
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
    )
    want_sums, want_doubled, want_total = numpy_running_sum(
        x, MASK, zero_output_for_mask, go_backwards
    )
    np.testing.assert_allclose(sums, want_sums, rtol=1e-6)
    np.testing.assert_allclose(doubled, want_doubled, rtol=1e-6)
    np.testing.assert_allclose(total, want_total, rtol=1e-6)
    np.testing.assert_allclose(last[0], want_sums[:, -1], rtol=1e-6)


def test_gradient_compiles_with_xla_for_an_unknown_length():
    x = np.random.default_rng(1).normal(size=(3, 4, 2)).astype("float32")
    weight = tf.Variable(np.full((2, 2), 0.5, dtype="float32"))

    def step(x_t, states):
        (h,) = states
        h = ops.tanh(x_t + ops.matmul(h, weight))
        return h, (h,)

    @tf.function(jit_compile=True, input_signature=[tf.TensorSpec((None, None, 2))])
    def gradient(x):
        with tf.GradientTape() as tape:
            _, outputs, _ = run_step_loop(step, x, [tf.zeros((3, 2))], state_size=[2])
            loss = tf.reduce_sum(outputs**2)
        return tape.gradient(loss, weight)

    with tf.GradientTape() as tape:
        h, outputs = tf.zeros((3, 2)), []
        for t in range(4):
            h = tf.tanh(x[:, t] + h @ weight)
            outputs.append(h)
        loss = tf.reduce_sum(tf.stack(outputs) ** 2)
    np.testing.assert_allclose(gradient(x), tape.gradient(loss, weight), rtol=1e-5)


def test_step_reads_variables_in_the_callers_compute_dtype():
    # Under mixed precision the step's variables are cast like the calling
    # layer's: a float32 variable meets float16 states without a dtype clash.
    weight = keras.Variable(np.full((2, 2), 0.5, dtype="float32"))
    x = np.random.default_rng(2).normal(size=(3, 4, 2)).astype("float16")

    def step(x_t, states):
        (h,) = states
        h = ops.tanh(x_t + ops.matmul(h, weight))
        return h, (h,)

    policy = keras.DTypePolicy("mixed_float16")
    _, outputs, [h] = run_step_loop(
        step, x, [ops.zeros((3, 2), "float16")], state_size=[2], dtype=policy
    )
    assert outputs.dtype == h.dtype == "float16"
    want = np.zeros((3, 2), "float32")
    for t in range(4):
        want = np.tanh(x[:, t].astype("float32") + want @ np.full((2, 2), 0.5))
    np.testing.assert_allclose(np.asarray(h, "float32"), want, atol=1e-2)
