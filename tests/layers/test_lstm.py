"""Tests of seqkeras.layers.LSTM."""

import keras
import numpy as np
import pytest

from seqkeras.layers import LSTM
from seqkeras.layers import LSTMCell
from tests import helpers
from tests.layers import numpy_reference
from tests.layers import rnn_testing as rt

B, T, D, H = 2, 5, 3, 4


# Correctness.


# Every kernel this CPU runs; a training call makes "auto" take its training
# kernel (the XLA-compiled loops), an inference call the reference loop.
KERNELS = [("auto", True), ("auto", False), ("reference", True), ("fast", True), ("xla", True)]


@pytest.mark.parametrize("implementation, training", KERNELS, ids=lambda v: str(v))
@pytest.mark.parametrize("copy_from", ["keras", "seqkeras"])
def test_outputs_and_gradients_equal_keras_lstm(copy_from, implementation, training):
    x = rt.random_inputs((B, T, D))
    ours = LSTM(H, return_sequences=True, return_state=True, implementation=implementation)
    theirs = keras.layers.LSTM(H, return_sequences=True, return_state=True)
    ours.build(x.shape)
    theirs.build(x.shape)
    source, target = (theirs, ours) if copy_from == "keras" else (ours, theirs)
    rt.randomize_weights(source)
    target.set_weights(source.get_weights())

    ours_outputs, ours_gradients = rt.outputs_and_gradients(ours, x, training=training)
    theirs_outputs, theirs_gradients = rt.outputs_and_gradients(theirs, x, training=training)
    expected = {("auto", True): "xla", ("auto", False): "reference"}
    assert ours.kernel_choice.kernel == expected.get((implementation, training), implementation)

    assert len(ours_outputs) == 3 and len(ours_gradients) == 4
    rt.assert_all_close(ours_outputs, theirs_outputs)
    rt.assert_all_close(ours_gradients, theirs_gradients)


@pytest.mark.parametrize(
    "options",
    [
        {"go_backwards": True},
        {"go_backwards": True, "return_sequences": True},
        {"unroll": True, "return_sequences": True},
    ],
    ids=["go_backwards", "go_backwards-sequences", "unroll"],
)
@pytest.mark.parametrize("implementation", ["auto", "reference", "fast", "xla"])
def test_rnn_options_equal_keras_lstm(options, implementation):
    if implementation == "xla" and options.get("unroll"):
        pytest.skip("xla does not unroll (refused: tests/layers/test_kernel_choice.py)")
    x = rt.random_inputs((B, T, D))
    ours = LSTM(H, implementation=implementation, **options)
    theirs = keras.layers.LSTM(H, **options)
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights(rt.randomize_weights(ours))

    np.testing.assert_allclose(
        ours(x, training=True), theirs(x, training=True), atol=1e-5, rtol=1e-5
    )


def test_forward_from_an_initial_state_equals_numpy_formula():
    x = rt.random_inputs((B, T, D))
    h0 = rt.random_inputs((B, H), seed=3)
    c0 = rt.random_inputs((B, H), seed=4)
    layer = LSTM(H, return_sequences=True, return_state=True)
    layer.build(x.shape)
    weights = rt.randomize_weights(layer)
    want_outputs, want_states = numpy_reference.lstm(x, weights, [h0, c0])

    eager = layer(x, initial_state=[h0, c0])

    inputs = keras.Input((T, D))
    state_inputs = [keras.Input((H,)), keras.Input((H,))]
    model = keras.Model([inputs] + state_inputs, layer(inputs, initial_state=state_inputs))
    functional = model.predict([x, h0, c0], verbose=0)

    for got in (eager, functional):
        rt.assert_all_close(list(got), [want_outputs] + want_states)


# Basics.


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_shapes(return_sequences, return_state):
    layer = LSTM(H, return_sequences=return_sequences, return_state=return_state)
    symbolic = layer(keras.Input((None, D)))
    concrete = layer(rt.random_inputs((B, T, D)))

    output_shape = (T, H) if return_sequences else (H,)
    want = [output_shape] + ([(H,), (H,)] if return_state else [])
    if not return_state:
        symbolic, concrete = [symbolic], [concrete]
    assert [tuple(s.shape[1:]) for s in symbolic] == [
        (None,) + w[1:] if return_sequences and i == 0 else w for i, w in enumerate(want)
    ]
    assert [tuple(c.shape) for c in concrete] == [(B,) + w for w in want]


def test_weights_and_attributes():
    layer = LSTM(H, dropout=0.25, recurrent_activation="hard_sigmoid", seed=3)
    layer.build((None, T, D))

    assert isinstance(layer.cell, LSTMCell)
    assert [w.name for w in layer.weights] == [
        "kernel",
        "recurrent_kernel",
        "bias",
    ]
    assert [tuple(w.shape) for w in layer.weights] == [
        (D, 4 * H),
        (H, 4 * H),
        (4 * H,),
    ]
    assert layer.count_params() == (D + H + 1) * 4 * H
    assert (layer.units, layer.dropout, layer.seed) == (H, 0.25, 3)
    assert layer.recurrent_activation is keras.activations.hard_sigmoid
    assert layer.unit_forget_bias is True


def test_masked_steps_leave_the_state_unchanged():
    x = rt.random_inputs((2, 6, D))
    mask = np.array([[1, 1, 0, 1, 1, 1], [1, 1, 1, 1, 0, 0]], bool)
    layer = LSTM(H, return_sequences=True, return_state=True)
    layer.build(x.shape)
    rt.randomize_weights(layer)

    outputs, h, c = (np.asarray(t) for t in layer(x, mask=mask))

    for b in range(2):
        unpadded = x[b : b + 1, mask[b]]
        want_outputs, want_h, want_c = layer(unpadded)
        np.testing.assert_allclose(outputs[b, mask[b]], want_outputs[0], 1e-5)
        np.testing.assert_allclose(h[b], want_h[0], atol=1e-5)
        np.testing.assert_allclose(c[b], want_c[0], atol=1e-5)
        for t in np.flatnonzero(~mask[b]):
            np.testing.assert_array_equal(outputs[b, t], outputs[b, t - 1])


def test_masking_layer_makes_padding_invisible():
    x = rt.random_inputs((B, T, D))
    padded = np.concatenate([x, np.zeros((B, 2, D), "float32")], axis=1)
    layer = LSTM(H)
    model = keras.Sequential([keras.Input((None, D)), keras.layers.Masking(0.0), layer])
    rt.randomize_weights(layer)
    np.testing.assert_allclose(model(padded), layer(x), atol=1e-6)
    assert not np.allclose(layer(padded), layer(x), atol=1e-3)


def test_masking_layer_mask_is_honoured_with_an_initial_state():
    # keras.layers.LSTM drops the mask when `initial_state` is passed.
    x = rt.random_inputs((B, T, D))
    padded = np.concatenate([x, np.zeros((B, 2, D), "float32")], axis=1)
    states = [rt.random_inputs((B, H), seed=s) for s in (5, 6)]
    layer = LSTM(H, return_sequences=True)
    inputs = keras.Input((None, D))
    state_inputs = [keras.Input((H,)) for _ in states]
    outputs = layer(keras.layers.Masking(0.0)(inputs), initial_state=state_inputs)
    model = keras.Model([inputs] + state_inputs, outputs)
    rt.randomize_weights(layer)

    got = np.asarray(model([padded] + states))
    want = np.asarray(layer(x, initial_state=states))
    np.testing.assert_allclose(got[:, :T], want, atol=1e-6)
    # Padded steps repeat the last real output: the state did not move.
    last_real = np.repeat(got[:, T - 1 : T], 2, axis=1)
    np.testing.assert_array_equal(got[:, T:], last_real)


def test_training_with_clipnorm_reduces_the_loss():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(64, 6, 2)).astype("float32")
    y = 0.5 * x[:, :, :1].sum(axis=1)
    model = keras.Sequential([keras.Input((6, 2)), LSTM(8), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02, clipnorm=1.0), "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert after < 0.5 * before


def test_stateful_layer_carries_state_until_reset_states():
    x1 = rt.random_inputs((B, T, D), seed=1)
    x2 = rt.random_inputs((B, T, D), seed=2)
    layer = LSTM(H, stateful=True)
    model = keras.Sequential([keras.Input(batch_shape=(B, T, D)), layer])
    weights = rt.randomize_weights(layer)

    model.predict(x1, batch_size=B, verbose=0)
    carried = model.predict(x2, batch_size=B, verbose=0)
    layer.reset_states()
    fresh = model.predict(x2, batch_size=B, verbose=0)

    both = np.concatenate([x1, x2], axis=1)
    _, [want_carried, _] = numpy_reference.lstm(both, weights)
    _, [want_fresh, _] = numpy_reference.lstm(x2, weights)
    np.testing.assert_allclose(carried, want_carried, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(fresh, want_fresh, atol=1e-5, rtol=1e-5)
    assert not np.allclose(carried, fresh, atol=1e-3)


def test_two_stacked_layers_have_their_own_weights():
    x = rt.random_inputs((B, T, D))
    first = LSTM(H, return_sequences=True)
    second = LSTM(3, return_sequences=True)
    model = keras.Sequential([keras.Input((T, D)), first, second])
    weights = [rt.randomize_weights(first, 1), rt.randomize_weights(second, 2)]

    paths = [w.path for w in model.weights]
    assert len(paths) == 6 and len(set(paths)) == 6
    want = numpy_reference.stacked([numpy_reference.lstm] * 2, x, weights)
    np.testing.assert_allclose(model(x), want, atol=1e-5, rtol=1e-5)


def test_bidirectional_rebuilds_the_backward_layer_from_config():
    x = rt.random_inputs((B, T, D))
    layer = keras.layers.Bidirectional(LSTM(H, return_sequences=True, dropout=0.1))
    layer.build(x.shape)
    assert isinstance(layer.backward_layer, LSTM)
    assert layer.backward_layer.go_backwards
    assert layer.backward_layer.dropout == 0.1
    forward = rt.randomize_weights(layer.forward_layer, seed=1)
    backward = rt.randomize_weights(layer.backward_layer, seed=2)

    want_forward, _ = numpy_reference.lstm(x, forward)
    want_backward, _ = numpy_reference.lstm(x[:, ::-1], backward)
    want = np.concatenate([want_forward, want_backward[:, ::-1]], axis=-1)
    np.testing.assert_allclose(layer(x), want, atol=1e-5, rtol=1e-5)


# Serialization.


def test_config_keeps_every_argument_flat_and_round_trips():
    kwargs = {**rt.CELL_ARGUMENTS, **rt.LSTM_ARGUMENTS, **rt.RNN_ARGUMENTS}
    rt.assert_config_keeps_every_argument(LSTM, kwargs)
    config = LSTM(**kwargs).get_config()
    assert "cell" not in config
    helpers.assert_config_round_trip(LSTM(**kwargs))
    helpers.assert_config_round_trip(keras.layers.Bidirectional(LSTM(H, dropout=0.25, seed=9)))


def _model_using_the_layer():
    inputs = keras.Input((T, D))
    sequences, h, c = LSTM(H, return_sequences=True, return_state=True, dropout=0.2, seed=1)(inputs)
    both_ways = keras.layers.Bidirectional(LSTM(H))(inputs)
    masked = LSTM(H, go_backwards=True)(keras.layers.Masking(0.0)(inputs))
    return keras.Model(inputs, [sequences, h, c, both_ways, masked])


def _inputs_with_padding():
    x = rt.random_inputs((B, T, D))
    x[1, -2:] = 0.0
    return x


@pytest.mark.slow  # a new interpreter imports TensorFlow: ~7 s
def test_model_reloads_from_keras_file_in_a_fresh_process(tmp_path):
    helpers.assert_reloads_in_fresh_process(
        _model_using_the_layer(), _inputs_with_padding(), tmp_path
    )


def test_model_exports_to_saved_model(tmp_path):
    helpers.assert_export_reloads(_model_using_the_layer(), _inputs_with_padding(), tmp_path)


# Errors.


@pytest.mark.parametrize("kwargs, message", rt.BAD_ARGUMENTS)
def test_invalid_arguments_raise_with_the_argument_and_value(kwargs, message):
    rt.assert_raises_bad_argument(LSTM, kwargs, message)
