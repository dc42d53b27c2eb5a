"""Behaviour `seqkeras.layers.LSTM`, `VanillaRNN` and `GRU` share through CellRNN.

The per-sequence dropout masks live in the shared base class, so their tests
run once for each sequence layer.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.layers import GRU
from seqkeras.layers import LSTM
from seqkeras.layers import VanillaRNN
from tests.layers import rnn_testing as rt

B, T, D, H = 2, 5, 3, 4
LAYERS = {"lstm": LSTM, "vanilla": VanillaRNN, "gru": GRU}

pytestmark = pytest.mark.parametrize("kind", sorted(LAYERS))


def _probe(kind, recurrent, **kwargs):
    """A sequence layer whose cell is a linear memory (see rnn_testing)."""
    layer = LAYERS[kind](H, activation=None, return_sequences=True, **kwargs)
    layer.build((None, T, H))
    layer.set_weights(rt.linear_memory_weights(kind, H, recurrent))
    return layer


_MODES = pytest.mark.parametrize("mode", ["eager", "tf.function", "xla"], ids=str)


def _run(layer, x, mode, **kwargs):
    if mode == "eager":
        return np.asarray(layer(x, **kwargs))
    call = tf.function(layer, jit_compile=(mode == "xla"))
    return np.asarray(call(x, **kwargs))


@_MODES
def test_input_dropout_mask_is_the_same_at_every_step(kind, mode):
    layer = _probe(kind, recurrent=False, dropout=0.5, seed=3)
    outputs = _run(layer, np.ones((4, 8, H), "float32"), mode, training=True)
    rt.assert_input_mask_fixed(outputs, rate=0.5)


@_MODES
def test_recurrent_dropout_mask_is_the_same_at_every_step(kind, mode):
    layer = _probe(kind, recurrent=True, recurrent_dropout=0.5, seed=3)
    outputs = _run(layer, np.ones((4, 6, H), "float32"), mode, training=True)
    rt.assert_recurrent_mask_fixed(outputs, rate=0.5)


def test_each_call_draws_new_masks(kind):
    layer = _probe(kind, recurrent=False, dropout=0.5, seed=3)
    ones = np.ones((4, 8, H), "float32")
    first = layer(ones, training=True)
    second = layer(ones, training=True)
    rt.assert_input_mask_fixed(second, rate=0.5)
    assert not np.allclose(first, second)


def test_dropout_only_in_training(kind):
    x = rt.random_inputs((B, T, D))
    layer = LAYERS[kind](H, dropout=0.4, recurrent_dropout=0.4, seed=1)
    plain = LAYERS[kind](H)
    layer.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(rt.randomize_weights(layer))

    inference = layer(x, training=False)
    np.testing.assert_allclose(inference, plain(x), atol=1e-6)
    assert not np.allclose(layer(x, training=True), inference, atol=1e-3)


def test_same_seed_gives_same_dropout(kind):
    x = rt.random_inputs((B, T, D))
    results = []
    for seed in (5, 5, 6):
        layer = LAYERS[kind](H, dropout=0.5, recurrent_dropout=0.5, seed=seed)
        layer.build(x.shape)
        rt.randomize_weights(layer)
        results.append(np.asarray(layer(x, training=True)))
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.allclose(results[0], results[2])


def test_dropout_trains_under_model_fit(kind):
    x = rt.random_inputs((16, T, D))
    y = rt.random_inputs((16, 1), seed=4)
    model = keras.Sequential(
        [
            keras.Input((T, D)),
            LAYERS[kind](H, dropout=0.3, recurrent_dropout=0.3, seed=2),
            keras.layers.Dense(1),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)

    assert np.all(np.isfinite(history.history["loss"]))
    after = model.get_weights()
    assert all(not np.allclose(b, a) for b, a in zip(before, after))
