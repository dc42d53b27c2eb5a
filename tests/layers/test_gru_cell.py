"""Tests of seqkeras.layers.GRUCell."""

import functools

import keras
import numpy as np
import pytest

from seqkeras.layers import GRUCell
from seqkeras.layers.dropout_masks import prepare_dropout_masks
from seqkeras.layers.dropout_masks import reset_dropout_masks
from tests import helpers
from tests.layers import numpy_reference
from tests.layers import rnn_testing as rt

B, T, D, H = 2, 5, 3, 4


def _rnn(cell, **kwargs):
    return keras.layers.RNN(cell, return_sequences=True, **kwargs)


# Correctness.


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("copy_from", ["keras", "seqkeras"])
def test_outputs_and_gradients_equal_keras_gru_cell(copy_from, reset_after):
    x = rt.random_inputs((B, T, D))
    ours = _rnn(GRUCell(H, reset_after=reset_after), return_state=True)
    theirs = _rnn(keras.layers.GRUCell(H, reset_after=reset_after), return_state=True)
    ours.build(x.shape)
    theirs.build(x.shape)
    source, target = (theirs, ours) if copy_from == "keras" else (ours, theirs)
    rt.randomize_weights(source)
    target.set_weights(source.get_weights())

    ours_outputs, ours_gradients = rt.outputs_and_gradients(ours, x)
    theirs_outputs, theirs_gradients = rt.outputs_and_gradients(theirs, x)

    assert len(ours_gradients) == 4  # inputs, kernel, recurrent, bias
    rt.assert_all_close(ours_outputs, theirs_outputs)
    rt.assert_all_close(ours_gradients, theirs_gradients)


@pytest.mark.parametrize(
    "reset_after, activation, numpy_activation, use_bias",
    [
        (True, "tanh", np.tanh, True),
        (False, "tanh", np.tanh, True),
        (True, "relu", lambda z: np.maximum(z, 0), False),
        (False, "relu", lambda z: np.maximum(z, 0), False),
    ],
)
def test_forward_equals_numpy_formula(reset_after, activation, numpy_activation, use_bias):
    x = rt.random_inputs((B, T, D))
    h0 = rt.random_inputs((B, H), seed=3)
    rnn = _rnn(
        GRUCell(H, activation=activation, use_bias=use_bias, reset_after=reset_after),
        return_state=True,
    )
    rnn.build(x.shape)
    weights = rt.randomize_weights(rnn)

    outputs, h = rnn(x, initial_state=[h0])
    want_outputs, [want_h] = numpy_reference.gru(
        x, weights, [h0], reset_after=reset_after, activation=numpy_activation
    )

    np.testing.assert_allclose(outputs, want_outputs, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(h, want_h, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gradients_equal_central_differences_in_float64(reset_after):
    x = rt.random_inputs((B, T, D), dtype="float64")
    rnn = _rnn(GRUCell(H, reset_after=reset_after, dtype="float64"), dtype="float64")
    rnn.build(x.shape)
    rt.randomize_weights(rnn)
    reference = functools.partial(numpy_reference.gru, reset_after=reset_after)
    rt.check_finite_differences(rnn, x, reference)


# Basics.


@pytest.mark.parametrize("reset_after, bias_shape", [(True, (2, 3 * H)), (False, (3 * H,))])
def test_weights_have_gru_cell_names_shapes_and_order(reset_after, bias_shape):
    cell = GRUCell(H, reset_after=reset_after)
    cell.build((None, D))
    theirs = keras.layers.GRUCell(H, reset_after=reset_after)
    theirs.build((None, D))
    assert [w.name for w in cell.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in cell.weights] == [(D, 3 * H), (H, 3 * H), bias_shape]
    assert [tuple(w.shape) for w in cell.weights] == [tuple(w.shape) for w in theirs.weights]
    assert cell.state_size == H and cell.output_size == H

    no_bias = GRUCell(H, use_bias=False)
    no_bias.build((None, D))
    assert [w.name for w in no_bias.weights] == ["kernel", "recurrent_kernel"]


def test_one_step_returns_h_and_the_new_state_h():
    cell = GRUCell(H)
    cell.build((None, D))
    weights = rt.randomize_weights(cell)
    x_t = rt.random_inputs((B, D))
    (h0,) = cell.get_initial_state(batch_size=B)
    np.testing.assert_array_equal(h0, np.zeros((B, H)))
    h1 = rt.random_inputs((B, H), seed=2)

    output, (h,) = cell(x_t, [h1])

    _, [want_h] = numpy_reference.gru(x_t[:, None], weights, [h1])
    np.testing.assert_array_equal(h, output)
    np.testing.assert_allclose(h, want_h, atol=1e-5, rtol=1e-5)


def test_regularizers_add_their_penalties():
    rnn = _rnn(
        GRUCell(
            H,
            kernel_regularizer=keras.regularizers.L2(0.1),
            recurrent_regularizer=keras.regularizers.L1(0.2),
            bias_regularizer=keras.regularizers.L2(0.3),
        )
    )
    rnn.build((B, T, D))
    kernel, recurrent, bias = rt.randomize_weights(rnn)
    rnn(rt.random_inputs((B, T, D)))
    want = 0.1 * np.sum(kernel**2) + 0.2 * np.sum(np.abs(recurrent)) + 0.3 * np.sum(bias**2)
    np.testing.assert_allclose(sum(rnn.losses), want, rtol=1e-5)


def test_stacked_rnn_cells_have_their_own_weights_and_compose():
    x = rt.random_inputs((B, T, D))
    rnn = _rnn(keras.layers.StackedRNNCells([GRUCell(H), GRUCell(2)]))
    rnn.build(x.shape)
    weights = rt.randomize_weights(rnn)

    paths = [w.path for w in rnn.weights]
    assert len(paths) == 6 and len(set(paths)) == 6
    assert [w.shape for w in weights[3:]] == [(H, 6), (2, 6), (2, 6)]
    want = numpy_reference.stacked([numpy_reference.gru] * 2, x, [weights[:3], weights[3:]])
    np.testing.assert_allclose(rnn(x), want, atol=1e-5, rtol=1e-5)


def test_bidirectional_keras_rnn_runs_the_cell_both_ways():
    x = rt.random_inputs((B, T, D))
    layer = keras.layers.Bidirectional(keras.layers.RNN(GRUCell(H)))
    layer.build(x.shape)
    forward = rt.randomize_weights(layer.forward_layer, seed=1)
    backward = rt.randomize_weights(layer.backward_layer, seed=2)

    _, [h_forward] = numpy_reference.gru(x, forward)
    _, [h_backward] = numpy_reference.gru(x[:, ::-1], backward)
    want = np.concatenate([h_forward, h_backward], axis=-1)
    np.testing.assert_allclose(layer(x), want, atol=1e-5, rtol=1e-5)


# Dropout.


def _probe(recurrent, **cell_kwargs):
    """A plain keras RNN whose cell is a linear memory (rnn_testing)."""
    rnn = _rnn(GRUCell(H, activation=None, **cell_kwargs))
    rnn.build((B, T, H))
    rnn.set_weights(rt.linear_memory_weights("gru", H, recurrent))
    return rnn


def test_dropout_only_in_training():
    x = rt.random_inputs((B, T, D))
    rnn = _rnn(GRUCell(H, dropout=0.4, recurrent_dropout=0.4, seed=1))
    plain = _rnn(GRUCell(H))
    rnn.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(rt.randomize_weights(rnn))

    inference = rnn(x, training=False)
    np.testing.assert_allclose(inference, plain(x), atol=1e-6)
    assert not np.allclose(rnn(x, training=True), inference, atol=1e-3)


def test_in_plain_keras_rnn_a_mask_is_drawn_at_every_step():
    rnn = _probe(recurrent=False, dropout=0.5, seed=3)
    outputs = np.asarray(rnn(np.ones((4, 8, H), "float32"), training=True))

    assert set(np.round(np.unique(outputs), 4)) == {0.0, 2.0}
    assert rt.masks_change_between_steps(outputs)


def test_prepared_masks_are_used_at_every_step_until_reset():
    rnn = _probe(recurrent=False, dropout=0.5, seed=3)
    cell = rnn.cell
    ones = np.ones((4, 8, H), "float32")
    prepare_dropout_masks(cell, ones[:, 0], cell.get_initial_state(4))
    mask = cell.get_dropout_mask(ones[:, 0])
    try:
        outputs = rnn(ones, training=True)
    finally:
        reset_dropout_masks(cell)

    rt.assert_input_mask_fixed(outputs, rate=0.5)
    np.testing.assert_array_equal(outputs[:, 0], mask)
    assert cell.get_dropout_mask(ones[:, 0]) is not mask


def test_same_seed_gives_same_dropout():
    x = rt.random_inputs((B, T, D))
    results = []
    for seed in (5, 5, 6):
        rnn = _rnn(GRUCell(H, dropout=0.5, recurrent_dropout=0.5, seed=seed))
        rnn.build(x.shape)
        rt.randomize_weights(rnn)
        results.append(np.asarray(rnn(x, training=True)))
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.allclose(results[0], results[2])


# Serialization.


def test_config_keeps_every_argument_and_round_trips():
    kwargs = {**rt.CELL_ARGUMENTS, **rt.GRU_ARGUMENTS}
    rt.assert_config_keeps_every_argument(GRUCell, kwargs)
    helpers.assert_config_round_trip(GRUCell(**kwargs))


# The `.keras` round trip in a fresh process of plain, bidirectional and stacked
# `keras.layers.RNN(GRUCell(...))` is in test_gru.py, beside the GRU layer's.


# Errors.


@pytest.mark.parametrize("kwargs, message", rt.BAD_ARGUMENTS)
def test_invalid_arguments_raise_with_the_argument_and_value(kwargs, message):
    rt.assert_raises_bad_argument(GRUCell, kwargs, message)


def test_reset_after_must_be_a_boolean():
    rt.assert_raises_bad_argument(
        GRUCell,
        {"units": 4, "reset_after": "yes"},
        "Received an invalid value for `reset_after`: expected True or False, got 'yes'.",
    )
