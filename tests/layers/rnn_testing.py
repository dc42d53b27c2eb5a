"""Checks shared by the tests of the recurrent cells and sequence layers."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.layers import numpy_reference

# (constructor kwargs, the exact message). The sequence layers pass these on to
# their cell, so all four classes raise the same messages.
BAD_ARGUMENTS = [
    pytest.param(
        {"units": -3},
        "Received an invalid value for `units`: expected a positive integer, got -3.",
        id="units=-3",
    ),
    pytest.param(
        {"units": 0},
        "Received an invalid value for `units`: expected a positive integer, got 0.",
        id="units=0",
    ),
    pytest.param(
        {"units": "8"},
        "Received an invalid value for `units`: expected a positive integer, got '8'.",
        id="units='8'",
    ),
    pytest.param(
        {"units": 2.5},
        "Received an invalid value for `units`: expected a positive integer, got 2.5.",
        id="units=2.5",
    ),
    pytest.param(
        {"units": True},
        "Received an invalid value for `units`: expected a positive integer, got True.",
        id="units=True",
    ),
    pytest.param(
        {"units": 4, "dropout": 1.5},
        "Received an invalid value for `dropout`: expected a float in [0, 1), got 1.5.",
        id="dropout=1.5",
    ),
    pytest.param(
        {"units": 4, "dropout": 1.0},
        "Received an invalid value for `dropout`: expected a float in [0, 1), got 1.0.",
        id="dropout=1.0",
    ),
    pytest.param(
        {"units": 4, "dropout": -0.1},
        "Received an invalid value for `dropout`: expected a float in [0, 1), got -0.1.",
        id="dropout=-0.1",
    ),
    pytest.param(
        {"units": 4, "dropout": "0.2"},
        "Received an invalid value for `dropout`: expected a float in [0, 1), got '0.2'.",
        id="dropout='0.2'",
    ),
    pytest.param(
        {"units": 4, "recurrent_dropout": 1.5},
        "Received an invalid value for `recurrent_dropout`: expected a float in [0, 1), got 1.5.",
        id="recurrent_dropout=1.5",
    ),
    pytest.param(
        {"units": 4, "recurrent_dropout": -1},
        "Received an invalid value for `recurrent_dropout`: expected a float in [0, 1), got -1.",
        id="recurrent_dropout=-1",
    ),
    pytest.param(
        {"units": 4, "seed": "7"},
        "Received an invalid value for `seed`: expected an integer or None, got '7'.",
        id="seed='7'",
    ),
    pytest.param(
        {"units": 4, "seed": 1.5},
        "Received an invalid value for `seed`: expected an integer or None, got 1.5.",
        id="seed=1.5",
    ),
    pytest.param(
        {"units": 4, "activation": "no_such_activation"},
        "no_such_activation",
        id="activation=unknown",
    ),
]


def assert_raises_bad_argument(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(**kwargs)


# A non-default value for every argument of the cells and layers.
CELL_ARGUMENTS = {
    "units": 3,
    "activation": "relu",
    "use_bias": False,
    "kernel_initializer": "he_normal",
    "recurrent_initializer": "identity",
    "bias_initializer": "ones",
    "kernel_regularizer": "l2",
    "recurrent_regularizer": "l1",
    "bias_regularizer": {
        "class_name": "L1L2",
        "config": {"l1": 0.1, "l2": 0.2},
    },
    "dropout": 0.25,
    "recurrent_dropout": 0.5,
    "seed": 9,
    "name": "custom_name",
}
LSTM_ARGUMENTS = {
    "recurrent_activation": "hard_sigmoid",
    "unit_forget_bias": False,
}
GRU_ARGUMENTS = {
    "recurrent_activation": "hard_sigmoid",
    "reset_after": False,
}
RNN_ARGUMENTS = {
    "return_sequences": True,
    "return_state": True,
    "go_backwards": True,
    "stateful": True,
    "unroll": True,
    "implementation": "fast",
}


def assert_config_keeps_every_argument(cls, kwargs):
    """Every constructor argument is an attribute of the same name, is in the
    config, and survives from_config; the config round-trips."""
    layer = cls(**kwargs)
    config = layer.get_config()
    assert set(kwargs) <= set(config), set(kwargs) - set(config)
    clone = cls.from_config(config)
    # Defaults everywhere, so each argument given must differ from it.
    baseline = cls(units=kwargs["units"] + 1)
    for name in kwargs:
        value = _described(getattr(layer, name))
        assert _described(getattr(clone, name)) == value, name
        assert _described(getattr(baseline, name)) != value, name
    assert clone.get_config() == config


def _described(value):
    return keras.saving.serialize_keras_object(value)


def random_inputs(shape, seed=0, dtype="float32"):
    return np.random.RandomState(seed).normal(size=shape).astype(dtype)


def randomize_weights(layer, seed=1, scale=0.5):
    """Give every weight of a built layer random values (biases included)."""
    rng = np.random.RandomState(seed)
    weights = [(scale * rng.normal(size=w.shape)).astype(w.dtype) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


def _projection(shape):
    # A fixed random projection, so the scalar loss weighs every output
    # differently and all of its gradient entries are distinct.
    return np.random.RandomState(7).normal(size=shape)


def projected_loss(outputs):
    """sum(outputs * P) for a fixed random P of the outputs' shape."""
    outputs = np.asarray(outputs)
    return float(np.sum(outputs * _projection(outputs.shape)))


def outputs_and_gradients(rnn, x, **call_kwargs):
    """Outputs of `rnn(x)` and gradients of their projected loss.

    Returns `(outputs, gradients)`: a list of the output tensors (as NumPy)
    and the gradients with respect to `x` followed by
    `rnn.trainable_weights`.
    """
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        result = rnn(x, **call_kwargs)
        if not isinstance(result, (list, tuple)):
            result = [result]
        loss = tf.add_n(
            [tf.reduce_sum(r * tf.constant(_projection(r.shape), r.dtype)) for r in result]
        )
    gradients = tape.gradient(loss, [x] + list(rnn.trainable_weights))
    return [r.numpy() for r in result], [g.numpy() for g in gradients]


def assert_all_close(actual, expected, atol=1e-5, rtol=1e-5):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, atol=atol, rtol=rtol)


def check_finite_differences(rnn, x, reference, atol=1e-7):
    """Autodiff gradients of a float64 `rnn` (return_sequences=True) equal
    central differences of the NumPy `reference` with the same weights."""
    weights = [np.array(w, np.float64) for w in rnn.get_weights()]
    x = np.array(x, np.float64)
    _, analytic = outputs_and_gradients(rnn, x)

    def loss():
        outputs, _ = reference(x, weights)
        return projected_loss(outputs)

    numeric = [numpy_reference.central_differences(loss, a) for a in [x] + weights]
    names = ["inputs"] + [w.name for w in rnn.trainable_weights]
    for name, a, n in zip(names, analytic, numeric):
        np.testing.assert_allclose(a, n, atol=atol, rtol=0, err_msg=name)


# Dropout probes.
#
# With `linear_memory_weights` and activation=None, both cells compute
#     h[t] = x[t] * m + h[t-1] * r
# where m and r are the input and recurrent dropout masks (ones without
# dropout). On all-ones inputs the output sequence reveals whether the masks
# stay the same from step to step.


def linear_memory_weights(kind, units, recurrent):
    """Weights making the cell a linear memory (see above).

    `kind` is "vanilla", "lstm" or "gru"; `recurrent` chooses h[t-1] * r
    (True) or no recurrence (False). For the LSTM, gate biases of +-30
    saturate the gates to i = o = 1 and f = 0, so c[t] = g[t] and h[t] = c[t];
    for the GRU (reset_after=True) to z = 0 and r = 1, so h[t] is the
    candidate.
    """
    eye = np.eye(units, dtype="float32")
    zeros = np.zeros((units, units), "float32")
    rec = eye if recurrent else zeros
    if kind == "vanilla":
        return [eye, rec, np.zeros(units, "float32")]
    if kind == "gru":
        gate = np.ones(units, "float32") * 30.0
        kernel = np.concatenate([zeros, zeros, eye], axis=1)
        recurrent_kernel = np.concatenate([zeros, zeros, rec], axis=1)
        bias = np.stack([np.concatenate([-gate, gate, 0 * gate]), np.zeros(3 * units, "float32")])
        return [kernel, recurrent_kernel, bias]
    kernel = np.concatenate([zeros, zeros, eye, zeros], axis=1)
    recurrent_kernel = np.concatenate([zeros, zeros, rec, zeros], axis=1)
    gate = np.ones(units, "float32") * 30.0
    bias = np.concatenate([gate, -gate, 0 * gate, gate])
    return [kernel, recurrent_kernel, bias]


def assert_input_mask_fixed(outputs, rate):
    """No-recurrence probe: h[t] = m, so every step shows the same mask."""
    outputs = np.asarray(outputs)
    keep = 1.0 / (1.0 - rate)
    first_step = np.broadcast_to(outputs[:, :1], outputs.shape)
    np.testing.assert_allclose(outputs, first_step, atol=1e-5)
    values = np.unique(np.round(outputs, 4))
    np.testing.assert_allclose(values, [0.0, keep], atol=1e-4)


def assert_recurrent_mask_fixed(outputs, rate):
    """Recurrent probe: h[t] = 1 + r h[t-1] with one r per unit, so every
    trajectory is 1, 1, 1, ... (r = 0) or 1, 1 + k, 1 + k + k^2, ...
    (r = k = 1 / (1 - rate))."""
    outputs = np.asarray(outputs)
    keep = 1.0 / (1.0 - rate)
    steps = outputs.shape[1]
    kept = np.cumsum(keep ** np.arange(steps))
    dropped = np.ones(steps)
    flat = np.moveaxis(outputs, 1, -1).reshape(-1, steps)
    is_kept = np.all(np.isclose(flat, kept, atol=1e-4), axis=1)
    is_dropped = np.all(np.isclose(flat, dropped, atol=1e-4), axis=1)
    assert np.all(is_kept | is_dropped), flat[~(is_kept | is_dropped)]
    assert is_kept.any() and is_dropped.any()


def masks_change_between_steps(outputs):
    """No-recurrence probe: True if some step shows a different mask."""
    outputs = np.asarray(outputs)
    return not np.allclose(outputs, outputs[:, :1], atol=1e-5)
