"""`implementation="fast"` and `"xla"` of `LSTM` and `VanillaRNN` equal the reference.

The fast path (seqkeras/layers/kernels/fast_recurrence.py) multiplies all steps'
inputs by the kernel before the loop; `"xla"` runs the same loops compiled
by XLA (seqkeras/layers/kernels/tensorflow_kernels.py); the reference path calls
the cell at every step. Each test builds both with the same weights and
compares outputs and gradients (inputs and every weight) to 1e-5.
"""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.layers import GRU
from seqkeras.layers import LSTM
from seqkeras.layers import VanillaRNN
from seqkeras.layers.kernels import fast_recurrence
from tests.layers import rnn_testing as rt

B, T, D, H = 3, 6, 5, 4
LAYERS = {"lstm": LSTM, "vanilla": VanillaRNN, "gru": GRU}

pytestmark = [
    pytest.mark.parametrize("kind", sorted(LAYERS)),
    pytest.mark.parametrize("implementation", ["fast", "xla"]),
]

# Sequence 0 is post-padded, 1 pre-padded, 2 has a hole in the middle.
MASK = np.array(
    [
        [1, 1, 1, 1, 0, 0],
        [0, 0, 1, 1, 1, 1],
        [1, 1, 0, 1, 1, 1],
    ],
    dtype=bool,
)


def _pair(kind, implementation, **kwargs):
    """A fast (or xla) and a reference layer with the same random weights."""
    fast = LAYERS[kind](H, implementation=implementation, **kwargs)
    reference = LAYERS[kind](H, implementation="reference", **kwargs)
    for layer in (fast, reference):
        layer.build((B, T, D))
    reference.set_weights(rt.randomize_weights(fast))
    return fast, reference


def _assert_same(kind, implementation, call_kwargs=None, **kwargs):
    fast, reference = _pair(kind, implementation, **kwargs)
    x = rt.random_inputs((B, T, D))
    call_kwargs = call_kwargs or {}
    fast_out, fast_grads = rt.outputs_and_gradients(fast, x, **call_kwargs)
    ref_out, ref_grads = rt.outputs_and_gradients(reference, x, **call_kwargs)
    rt.assert_all_close(fast_out, ref_out)
    rt.assert_all_close(fast_grads, ref_grads)
    # A gradient that is zero everywhere would make the comparison vacuous.
    assert all(np.any(g != 0) for g in fast_grads)
    return fast_out


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"return_sequences": True},
        {"return_sequences": True, "go_backwards": True},
        {"return_state": True},
        {"return_sequences": True, "return_state": True, "unroll": True},
        {"use_bias": False},
    ],
    ids=lambda options: ",".join(options) or "default",
)
def test_fast_equals_reference(kind, implementation, options):
    if (implementation == "xla" or kind == "gru") and options.get("unroll"):
        pytest.skip("refused: the GRU's fast loop and xla do not unroll (test_kernel_choice.py)")
    _assert_same(kind, implementation, **options)


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_fast_equals_reference_with_mask(kind, implementation, go_backwards, zero_output_for_mask):
    outputs = _assert_same(
        kind,
        implementation,
        {"mask": MASK},
        return_sequences=True,
        return_state=True,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
    )
    # The mask was honoured: a masked step repeats the previous output.
    if not go_backwards and not zero_output_for_mask:
        np.testing.assert_array_equal(outputs[0][0, 4], outputs[0][0, 3])


def test_fast_equals_reference_with_mask_through_keras_loop(kind, implementation):
    # A relu activation leaves the hand-written backward pass: Keras's loop
    # with autodiff, which must honour the mask as well.
    if implementation == "xla" or kind == "gru":
        pytest.skip("refused: the GRU's fast loop and xla need tanh (test_kernel_choice.py)")
    _assert_same(
        kind,
        implementation,
        {"mask": MASK},
        return_sequences=True,
        return_state=True,
        activation="relu",
    )


# With or without a mask the fast path runs its hand-written backward pass
# (`_bptt_loop`).
_WITH_AND_WITHOUT_MASK = pytest.mark.parametrize("mask", [None, MASK], ids=["unmasked", "masked"])


@_WITH_AND_WITHOUT_MASK
def test_fast_equals_reference_with_dropout(kind, implementation, mask):
    # Both layers draw their masks from the same seed, so training runs
    # drop the same units.
    outputs = _assert_same(
        kind,
        implementation,
        {"training": True, "mask": mask},
        return_sequences=True,
        dropout=0.4,
        recurrent_dropout=0.4,
        seed=11,
    )
    fast, _ = _pair(kind, implementation, return_sequences=True, dropout=0.4, seed=11)
    x = rt.random_inputs((B, T, D))
    assert not np.allclose(fast(x, training=True), fast(x, training=False))
    assert np.all(np.isfinite(outputs[0]))


@_WITH_AND_WITHOUT_MASK
def test_fast_equals_reference_with_initial_state(kind, implementation, mask):
    states = [rt.random_inputs((B, H), seed=s) for s in (2, 3)]
    states = states[: 2 if kind == "lstm" else 1]
    _assert_same(
        kind,
        implementation,
        {"initial_state": states, "mask": mask},
        return_sequences=True,
        return_state=True,
    )


def test_fast_equals_reference_stateful(kind, implementation):
    fast, reference = _pair(kind, implementation, stateful=True, return_sequences=True)
    x = rt.random_inputs((B, T, D))
    for _ in range(2):
        np.testing.assert_allclose(fast(x), reference(x), atol=1e-5)
    for fast_state, ref_state in zip(fast.states, reference.states):
        np.testing.assert_allclose(fast_state, ref_state, atol=1e-5)
        assert np.any(np.asarray(fast_state) != 0)


def _stacked_model(kind, implementation):
    inputs = keras.Input((T, D))
    x = keras.layers.Bidirectional(
        LAYERS[kind](H, return_sequences=True, implementation=implementation)
    )(inputs)
    x = LAYERS[kind](H, implementation=implementation)(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))


def test_bidirectional_stack_equal_under_tf_function(kind, implementation):
    fast = _stacked_model(kind, implementation)
    reference = _stacked_model(kind, "reference")
    reference.set_weights(rt.randomize_weights(fast))
    assert fast.layers[1].backward_layer.implementation == implementation
    x = tf.constant(rt.random_inputs((B, T, D)))

    @tf.function
    def outputs_and_gradients(model):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(x) ** 2)
        return loss, tape.gradient(loss, model.trainable_weights)

    fast_loss, fast_grads = outputs_and_gradients(fast)
    ref_loss, ref_grads = outputs_and_gradients(reference)
    np.testing.assert_allclose(fast_loss, ref_loss, rtol=1e-5)
    rt.assert_all_close([np.asarray(g) for g in fast_grads], [np.asarray(g) for g in ref_grads])


@functools.lru_cache(maxsize=None)
def _fitted_weights(kind, implementation, jit_compile):
    """The stack's weights after two epochs of `fit` from fixed weights and data.

    Deterministic (fixed weights, no dropout, no shuffling), so the reference
    loop's result is computed once per kind and compile mode, not once per test.
    """
    x = rt.random_inputs((8, T, D))
    y = rt.random_inputs((8, 1), seed=4)
    model = _stacked_model(kind, implementation)
    rt.randomize_weights(model)
    model.compile(keras.optimizers.Adam(0.01, clipnorm=1.0), "mse", jit_compile=jit_compile)
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    return tuple(model.get_weights())


@pytest.mark.parametrize("jit_compile", [False, True])
def test_model_fit_gives_the_same_weights(kind, implementation, jit_compile):
    rt.assert_all_close(
        list(_fitted_weights(kind, implementation, jit_compile)),
        list(_fitted_weights(kind, "reference", jit_compile)),
        atol=1e-5,
        rtol=1e-4,
    )


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, True),
        ({"go_backwards": True, "recurrent_dropout": 0.3}, True),
        ({"activation": "relu"}, False),
        ({"unroll": True}, False),
    ],
    ids=["default", "backwards-dropout", "relu", "unroll"],
)
def test_which_configurations_use_the_hand_written_backward_pass(
    kind, implementation, options, expected, monkeypatch
):
    if (implementation == "xla" or kind == "gru") and not expected:
        pytest.skip("refused: the GRU's fast loop and xla (test_kernel_choice.py)")
    calls = []
    original = fast_recurrence._bptt_loop

    def spy(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(fast_recurrence, "_bptt_loop", spy)
    layer = LAYERS[kind](H, implementation=implementation, **options)
    layer(rt.random_inputs((B, T, D)), training=True)
    assert bool(calls) == expected
    calls.clear()
    # Masks do not leave the hand-written backward pass.
    layer(rt.random_inputs((B, T, D)), mask=MASK)
    assert bool(calls) == expected


def test_unknown_sequence_length(kind, implementation):
    # Traced for any length, as SavedModel export and variable-length
    # batches do.
    fast, reference = _pair(kind, implementation, return_sequences=True, return_state=True)
    spec = tf.TensorSpec((None, None, D), tf.float32)

    def outputs_and_gradients(layer):
        @tf.function(input_signature=[spec])
        def run(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.add_n([tf.reduce_sum(o**2) for o in layer(x)])
            return tape.gradient(loss, [x] + layer.trainable_weights)

        return [np.asarray(g) for g in run(rt.random_inputs((B, T, D)))]

    rt.assert_all_close(outputs_and_gradients(fast), outputs_and_gradients(reference))


def test_implementation_is_saved(kind, implementation, tmp_path):
    assert LAYERS[kind](H).implementation == "auto"
    model = keras.Sequential([keras.Input((T, D)), LAYERS[kind](H, implementation=implementation)])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.layers[0].implementation == implementation
    x = rt.random_inputs((B, T, D))
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


def test_unknown_implementation_is_rejected(kind, implementation):
    rt.assert_raises_bad_argument(
        LAYERS[kind],
        {"units": 4, "implementation": "cuda"},
        "Received an invalid value for `implementation`: expected one of "
        "'auto', 'reference', 'fast', 'xla', 'cudnn', got 'cuda'.",
    )
