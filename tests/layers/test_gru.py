"""Tests of seqkeras.layers.GRU."""

import functools

import keras
import numpy as np
import pytest

from seqkeras.layers import GRU
from seqkeras.layers import LSTM
from seqkeras.layers import GRUCell
from seqkeras.layers import set_implementation
from tests import helpers
from tests.layers import numpy_reference
from tests.layers import rnn_testing as rt

B, T, D, H = 2, 5, 3, 4

# Padding after the real steps (post) and before them (pre).
_MASKS = {
    "post": np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool),
    "pre": np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]], bool),
}


# Correctness.


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("copy_from", ["keras", "seqkeras"])
def test_outputs_and_gradients_equal_keras_gru(copy_from, reset_after):
    x = rt.random_inputs((B, T, D))
    ours = GRU(H, reset_after=reset_after, return_sequences=True, return_state=True)
    theirs = keras.layers.GRU(H, reset_after=reset_after, return_sequences=True, return_state=True)
    ours.build(x.shape)
    theirs.build(x.shape)
    source, target = (theirs, ours) if copy_from == "keras" else (ours, theirs)
    rt.randomize_weights(source)
    target.set_weights(source.get_weights())

    ours_outputs, ours_gradients = rt.outputs_and_gradients(ours, x)
    theirs_outputs, theirs_gradients = rt.outputs_and_gradients(theirs, x)

    assert len(ours_outputs) == 2 and len(ours_gradients) == 4
    rt.assert_all_close(ours_outputs, theirs_outputs)
    rt.assert_all_close(ours_gradients, theirs_gradients)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("padding", sorted(_MASKS))
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "go_backwards"])
def test_masked_outputs_and_gradients_equal_keras_gru(reset_after, padding, go_backwards):
    x = rt.random_inputs((B, T, D))
    mask = _MASKS[padding]
    options = dict(
        reset_after=reset_after,
        go_backwards=go_backwards,
        return_sequences=True,
        return_state=True,
    )
    ours, theirs = GRU(H, **options), keras.layers.GRU(H, **options)
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights(rt.randomize_weights(ours))

    ours_outputs, ours_gradients = rt.outputs_and_gradients(ours, x, mask=mask)
    theirs_outputs, theirs_gradients = rt.outputs_and_gradients(theirs, x, mask=mask)

    rt.assert_all_close(ours_outputs, theirs_outputs)
    rt.assert_all_close(ours_gradients, theirs_gradients)
    # The final state is the state after the real steps alone.
    _, [want_h] = numpy_reference.gru(
        x[1:, mask[1]][:, ::-1] if go_backwards else x[1:, mask[1]],
        ours.get_weights(),
        reset_after=reset_after,
    )
    np.testing.assert_allclose(ours_outputs[1][1], want_h[0], atol=1e-5, rtol=1e-5)


def test_unroll_equals_keras_gru():
    x = rt.random_inputs((B, T, D))
    ours = GRU(H, unroll=True, return_sequences=True)
    theirs = keras.layers.GRU(H, unroll=True, return_sequences=True)
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights(rt.randomize_weights(ours))
    np.testing.assert_allclose(ours(x), theirs(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_forward_from_an_initial_state_equals_numpy_formula(reset_after):
    x = rt.random_inputs((B, T, D))
    h0 = rt.random_inputs((B, H), seed=3)
    layer = GRU(H, reset_after=reset_after, return_sequences=True, return_state=True)
    layer.build(x.shape)
    weights = rt.randomize_weights(layer)
    want_outputs, want_states = numpy_reference.gru(x, weights, [h0], reset_after=reset_after)

    eager = layer(x, initial_state=[h0])

    inputs = keras.Input((T, D))
    state_input = keras.Input((H,))
    model = keras.Model([inputs, state_input], layer(inputs, initial_state=[state_input]))
    functional = model.predict([x, h0], verbose=0)

    for got in (eager, functional):
        rt.assert_all_close(list(got), [want_outputs] + want_states)


# Basics.


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_shapes(return_sequences, return_state):
    layer = GRU(H, return_sequences=return_sequences, return_state=return_state)
    concrete = layer(rt.random_inputs((B, T, D)))
    want = [(B, T, H) if return_sequences else (B, H)] + ([(B, H)] if return_state else [])
    if not return_state:
        concrete = [concrete]
    assert [tuple(c.shape) for c in concrete] == want


def test_weights_and_attributes():
    layer = GRU(H, dropout=0.25, recurrent_activation="hard_sigmoid", seed=3)
    layer.build((None, T, D))

    assert isinstance(layer.cell, GRUCell)
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(D, 3 * H), (H, 3 * H), (2, 3 * H)]
    assert layer.count_params() == (D + H + 2) * 3 * H
    assert (layer.units, layer.dropout, layer.seed, layer.reset_after) == (H, 0.25, 3, True)
    assert layer.recurrent_activation is keras.activations.hard_sigmoid


def test_masking_layer_mask_is_honoured_with_an_initial_state():
    # keras.layers.GRU drops the mask when `initial_state` is passed.
    x = rt.random_inputs((B, T, D))
    padded = np.concatenate([x, np.zeros((B, 2, D), "float32")], axis=1)
    state = rt.random_inputs((B, H), seed=5)
    layer = GRU(H, return_sequences=True)
    inputs = keras.Input((None, D))
    state_input = keras.Input((H,))
    outputs = layer(keras.layers.Masking(0.0)(inputs), initial_state=[state_input])
    model = keras.Model([inputs, state_input], outputs)
    rt.randomize_weights(layer)

    got = np.asarray(model([padded, state]))
    want = np.asarray(layer(x, initial_state=[state]))
    np.testing.assert_allclose(got[:, :T], want, atol=1e-6)
    np.testing.assert_array_equal(got[:, T:], np.repeat(got[:, T - 1 : T], 2, axis=1))


def test_training_with_clipnorm_reduces_the_loss():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(64, 6, 2)).astype("float32")
    y = 0.5 * x[:, :, :1].sum(axis=1)
    model = keras.Sequential([keras.Input((6, 2)), GRU(8), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02, clipnorm=1.0), "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert after < 0.5 * before


def test_stateful_layer_carries_state_until_reset_states():
    x1 = rt.random_inputs((B, T, D), seed=1)
    x2 = rt.random_inputs((B, T, D), seed=2)
    layer = GRU(H, stateful=True)
    model = keras.Sequential([keras.Input(batch_shape=(B, T, D)), layer])
    weights = rt.randomize_weights(layer)

    model.predict(x1, batch_size=B, verbose=0)
    carried = model.predict(x2, batch_size=B, verbose=0)
    layer.reset_states()
    fresh = model.predict(x2, batch_size=B, verbose=0)

    _, [want_carried] = numpy_reference.gru(np.concatenate([x1, x2], axis=1), weights)
    _, [want_fresh] = numpy_reference.gru(x2, weights)
    np.testing.assert_allclose(carried, want_carried, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(fresh, want_fresh, atol=1e-5, rtol=1e-5)
    assert not np.allclose(carried, fresh, atol=1e-3)


def test_two_stacked_layers_have_their_own_weights():
    x = rt.random_inputs((B, T, D))
    first = GRU(H, return_sequences=True)
    second = GRU(3, return_sequences=True, reset_after=False)
    model = keras.Sequential([keras.Input((T, D)), first, second])
    weights = [rt.randomize_weights(first, 1), rt.randomize_weights(second, 2)]

    paths = [w.path for w in model.weights]
    assert len(paths) == 6 and len(set(paths)) == 6
    references = [numpy_reference.gru, functools.partial(numpy_reference.gru, reset_after=False)]
    want = numpy_reference.stacked(references, x, weights)
    np.testing.assert_allclose(model(x), want, atol=1e-5, rtol=1e-5)


def test_bidirectional_rebuilds_the_backward_layer_from_config():
    x = rt.random_inputs((B, T, D))
    layer = keras.layers.Bidirectional(GRU(H, return_sequences=True, dropout=0.1))
    layer.build(x.shape)
    assert isinstance(layer.backward_layer, GRU)
    assert layer.backward_layer.go_backwards
    assert layer.backward_layer.dropout == 0.1
    forward = rt.randomize_weights(layer.forward_layer, seed=1)
    backward = rt.randomize_weights(layer.backward_layer, seed=2)

    want_forward, _ = numpy_reference.gru(x, forward)
    want_backward, _ = numpy_reference.gru(x[:, ::-1], backward)
    want = np.concatenate([want_forward, want_backward[:, ::-1]], axis=-1)
    np.testing.assert_allclose(layer(x), want, atol=1e-5, rtol=1e-5)


# Serialization.


def test_config_keeps_every_argument_flat_and_round_trips():
    rnn_arguments = {k: v for k, v in rt.RNN_ARGUMENTS.items() if k != "implementation"}
    kwargs = {**rt.CELL_ARGUMENTS, **rt.GRU_ARGUMENTS, **rnn_arguments}
    rt.assert_config_keeps_every_argument(GRU, kwargs)
    config = GRU(**kwargs).get_config()
    assert "cell" not in config and config["implementation"] == "auto"
    helpers.assert_config_round_trip(GRU(**kwargs))
    helpers.assert_config_round_trip(keras.layers.Bidirectional(GRU(H, dropout=0.25, seed=9)))


def _model_using_the_layer_and_the_cell():
    inputs = keras.Input((T, D))
    sequences, h = GRU(H, return_sequences=True, return_state=True, dropout=0.2, seed=1)(inputs)
    both_ways = keras.layers.Bidirectional(GRU(H, reset_after=False))(inputs)
    masked = GRU(H, go_backwards=True)(keras.layers.Masking(0.0)(inputs))
    cell_both_ways = keras.layers.Bidirectional(
        keras.layers.RNN(GRUCell(H, reset_after=False, dropout=0.2, seed=1))
    )(inputs)
    stacked = keras.layers.RNN(keras.layers.StackedRNNCells([GRUCell(H), GRUCell(2)]))(inputs)
    return keras.Model(inputs, [sequences, h, both_ways, masked, cell_both_ways, stacked])


@pytest.mark.slow  # a new interpreter imports TensorFlow: ~7 s
def test_model_reloads_from_keras_file_in_a_fresh_process(tmp_path):
    x = rt.random_inputs((B, T, D))
    x[1, -2:] = 0.0
    helpers.assert_reloads_in_fresh_process(_model_using_the_layer_and_the_cell(), x, tmp_path)


# Errors.


@pytest.mark.parametrize("kwargs, message", rt.BAD_ARGUMENTS)
def test_invalid_arguments_raise_with_the_argument_and_value(kwargs, message):
    rt.assert_raises_bad_argument(GRU, kwargs, message)


def test_the_fast_loop_is_refused_where_the_gru_has_none_naming_the_argument():
    layer = GRU(4, implementation="fast", reset_after=False, name="the_gru")
    with pytest.raises(ValueError) as error:
        layer(rt.random_inputs((B, T, D)))
    assert (
        "Received an invalid value for `implementation`: GRU layer 'the_gru' cannot run "
        "'fast': fast needs reset_after=True for the GRU." in str(error.value)
    )


def test_set_implementation_puts_the_gru_on_the_fast_loop_too():
    inputs = keras.Input((T, D))
    lstm = LSTM(H, return_sequences=True)
    model = keras.Model(inputs, GRU(H, name="the_gru")(lstm(inputs)))
    set_implementation(model, "fast")
    assert lstm.implementation == model.layers[-1].implementation == "fast"
    set_implementation(model, "reference")
    assert model.layers[-1].implementation == "reference"
