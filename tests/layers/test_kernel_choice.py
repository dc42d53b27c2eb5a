"""Which kernel a sequence layer runs (seqkeras/layers/kernels/kernel_choice.py), and
the cuDNN weight packing (seqkeras/layers/kernels/tensorflow_kernels.py).

This machine has no GPU: the choice is forced through `choose_kernel`'s
`gpu` argument; the cuDNN packing is checked against a NumPy LSTM and GRU
that read the flat buffer as NVIDIA documents cuDNN's canonical layout
(`cudnnGetRNNLinLayerMatrixParams`): per gate, the input matrix then the
recurrent matrix, each `(units, in)` row-major, gates in cuDNN's order
(LSTM i, f, c, o; GRU r, z, h), then the input and the recurrent biases.
The GPU check (benchmarks/gpu_check.py) runs the kernel itself.
"""

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.layers import GRU
from seqkeras.layers import LSTM
from seqkeras.layers import VanillaRNN
from seqkeras.layers.kernels import tensorflow_kernels
from seqkeras.layers.kernels.kernel_choice import choose_kernel
from seqkeras.layers.kernels.kernel_choice import portable_kernels
from tests.layers import rnn_testing as rt

B, T, D, H = 3, 5, 4, 6


@pytest.mark.parametrize(
    "layer, training, gpu, expected",
    [
        (LSTM(H), True, True, "cudnn"),
        (LSTM(H), False, True, "reference"),
        (GRU(H), True, True, "cudnn"),
        (LSTM(H), True, False, "xla"),
        (VanillaRNN(H), True, False, "xla"),
        (VanillaRNN(H), True, True, "xla"),
        (LSTM(H), False, False, "reference"),
        (GRU(H), True, False, "xla"),
        (GRU(H, reset_after=False), True, False, "reference"),
        (LSTM(H, recurrent_dropout=0.2), True, True, "xla"),
        (LSTM(H, use_bias=False), True, True, "xla"),
        (GRU(H, reset_after=False), True, True, "reference"),
        (LSTM(H, activation="relu"), True, True, "reference"),
        (LSTM(H, recurrent_activation="hard_sigmoid"), True, False, "reference"),
        (LSTM(H, unroll=True), True, True, "reference"),
        (LSTM(H, dtype="mixed_float16"), True, True, "reference"),
        (LSTM(H, implementation="fast"), True, True, "fast"),
        (LSTM(H, implementation="reference"), True, True, "reference"),
        (LSTM(H, implementation="xla"), False, True, "xla"),
        (LSTM(H, implementation="cudnn"), False, True, "cudnn"),
        (LSTM(H, implementation="cudnn"), True, True, "cudnn"),
    ],
    ids=lambda value: value.name if isinstance(value, keras.layers.Layer) else str(value),
)
def test_auto_picks_the_kernel_the_configuration_and_device_allow(layer, training, gpu, expected):
    choice = choose_kernel(layer, training=training, gpu=gpu, backend="tensorflow", steps=T)
    assert choice.kernel == expected, choice.reason


def test_the_reason_for_a_fallback_can_be_read():
    choice = choose_kernel(GRU(H, reset_after=False), training=True, gpu=True, backend="tensorflow")
    assert choice.reason == (
        "auto: cudnn needs reset_after=True; xla needs reset_after=True for the GRU"
    )
    choice = choose_kernel(LSTM(H), training=True, gpu=False, backend="tensorflow", steps=T)
    assert choice.reason == (
        "auto: XLA-compiled loops (cudnn needs a GPU, none is visible); batches over 128 "
        "run the reference loop"
    )


def test_lengths_unknown_when_traced_take_the_reference_loop_on_a_cpu():
    # Length buckets would compile the XLA loops once per bucket.
    choice = choose_kernel(LSTM(H), training=True, gpu=False, backend="tensorflow", steps=None)
    assert choice.kernel == "reference"
    assert "the sequence length is not known when traced (xla compiles per length)" in (
        choice.reason
    )
    # cuDNN runs any length.
    choice = choose_kernel(LSTM(H), training=True, gpu=True, backend="tensorflow", steps=None)
    assert choice.kernel == "cudnn"
    layer = LSTM(H)
    layer(rt.random_inputs((B, T, D)), training=True)
    assert layer.kernel_choice.kernel == "xla"

    @tf.function(input_signature=[tf.TensorSpec((None, None, D), tf.float32)])
    def any_length(x):
        return layer(x, training=True)

    any_length(rt.random_inputs((B, T, D)))
    assert layer.kernel_choice.kernel == "reference"


def test_other_backends_run_the_reference_loop():
    for gpu in (False, True):
        choice = choose_kernel(LSTM(H), training=True, gpu=gpu, backend="jax")
        assert choice.kernel == "reference"
    assert "TensorFlow backend only, this is 'jax'" in choice.reason


def test_exports_trace_the_portable_loop_whatever_was_asked():
    for implementation in ("auto", "reference", "xla", "cudnn"):
        layer = LSTM(H, implementation=implementation)
        with portable_kernels():
            choice = choose_kernel(layer, training=True, gpu=True, backend="tensorflow")
        assert choice.kernel == "reference"
    with portable_kernels():
        layer = LSTM(H, implementation="fast")
        assert choose_kernel(layer, training=True, gpu=True).kernel == "fast"
        # A GRU the fast loop cannot run (refused outside an export).
        layer = GRU(H, implementation="fast", reset_after=False)
        assert choose_kernel(layer, training=True, gpu=True).kernel == "reference"
    assert choose_kernel(LSTM(H), training=True, gpu=True, backend="tensorflow").kernel == "cudnn"


@pytest.mark.parametrize(
    "layer, message",
    [
        (
            LSTM(H, implementation="cudnn", name="enc"),
            "LSTM layer 'enc' cannot run 'cudnn': cudnn needs a GPU, none is visible.",
        ),
        (
            VanillaRNN(H, implementation="cudnn", name="rnn"),
            "VanillaRNN layer 'rnn' cannot run 'cudnn': cudnn has no VanillaRNN.",
        ),
        (
            LSTM(H, implementation="xla", activation="relu", name="enc"),
            "LSTM layer 'enc' cannot run 'xla': xla needs activation='tanh'.",
        ),
        (
            LSTM(H, implementation="xla", unroll=True, name="enc"),
            "LSTM layer 'enc' cannot run 'xla': xla does not unroll (unroll=True).",
        ),
        (
            GRU(H, implementation="xla", reset_after=False, name="dec"),
            "GRU layer 'dec' cannot run 'xla': xla needs reset_after=True for the GRU.",
        ),
        (
            GRU(H, implementation="fast", recurrent_activation="hard_sigmoid", name="dec"),
            "GRU layer 'dec' cannot run 'fast': fast needs recurrent_activation='sigmoid' "
            "for the GRU.",
        ),
    ],
    ids=["cudnn-without-gpu", "cudnn-vanilla", "xla-relu", "xla-unroll", "xla-gru", "fast-gru"],
)
def test_an_explicit_kernel_that_cannot_run_is_refused_naming_the_setting(layer, message):
    with pytest.raises(ValueError) as error:
        layer(rt.random_inputs((B, T, D)), training=True)
    assert f"Received an invalid value for `implementation`: {message}" in str(error.value)


def test_a_call_records_its_choice_and_logs_it_at_debug_level(caplog):
    layer = LSTM(H, name="logged")
    x = rt.random_inputs((B, T, D))
    with caplog.at_level(logging.DEBUG, logger="seqkeras.layers.cell_rnn"):
        layer(x, training=True)
    assert layer.kernel_choice.kernel == "xla"
    assert "LSTM 'logged' runs xla: auto: XLA-compiled loops" in caplog.text
    layer(x, training=False)
    assert layer.kernel_choice.kernel == "reference"


# cuDNN's canonical layout, read by NumPy.


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cudnn_numpy(kind, params, x, states, units):
    """A cuDNN LSTM or GRU over batch-major `x`, weights read from `params`."""
    gates = 4 if kind == "lstm" else 3
    inputs = x.shape[-1]
    offset = 0

    def take(rows, columns):
        nonlocal offset
        block = params[offset : offset + rows * columns].reshape(rows, columns)
        offset += rows * columns
        return block

    w = [take(units, inputs) for _ in range(gates)]
    r = [take(units, units) for _ in range(gates)]
    bw = [take(units, 1)[:, 0] for _ in range(gates)]
    br = [take(units, 1)[:, 0] for _ in range(gates)]
    assert offset == params.size
    h, c = states[0], states[1] if kind == "lstm" else None
    outputs = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        pre_x = [xt @ w[k].T + bw[k] for k in range(gates)]
        pre_h = [h @ r[k].T + br[k] for k in range(gates)]
        if kind == "lstm":
            i, f, o = (_sigmoid(pre_x[k] + pre_h[k]) for k in (0, 1, 3))
            g = np.tanh(pre_x[2] + pre_h[2])
            c = f * c + i * g
            h = o * np.tanh(c)
        else:
            reset, update = (_sigmoid(pre_x[k] + pre_h[k]) for k in (0, 1))
            candidate = np.tanh(pre_x[2] + reset * pre_h[2])
            h = update * h + (1.0 - update) * candidate
        outputs.append(h)
    return np.stack(outputs, axis=1), [h] + ([c] if kind == "lstm" else [])


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_cudnn_packing_follows_cudnns_canonical_layout(kind):
    layer = (LSTM if kind == "lstm" else GRU)(
        H, return_sequences=True, return_state=True, implementation="reference"
    )
    layer.build((B, T, D))
    rt.randomize_weights(layer)
    x = rt.random_inputs((B, T, D))
    states = [rt.random_inputs((B, H), seed=s) for s in (5, 6)][: 2 if kind == "lstm" else 1]
    cell = layer.cell
    params = tensorflow_kernels.cudnn_params(
        kind, cell.kernel, cell.recurrent_kernel, cell.bias
    ).numpy()
    assert params.size == sum(np.prod(w.shape) for w in layer.get_weights()) + (
        4 * H if kind == "lstm" else 0
    )
    want_outputs, want_states = _cudnn_numpy(kind, params, x, states, H)
    got = layer(x, initial_state=states)
    np.testing.assert_allclose(got[0], want_outputs, atol=1e-5, rtol=1e-5)
    rt.assert_all_close([np.asarray(s) for s in got[1:]], want_states)


def test_the_cudnn_mask_check_accepts_right_padding_only():
    def fits(rows):
        return bool(tensorflow_kernels.cudnn_mask_fits(np.array(rows, dtype=bool)))

    assert fits([[1, 1, 0], [1, 1, 1]])
    assert not fits([[0, 1, 1], [1, 1, 1]])  # left padding
    assert not fits([[1, 0, 1], [1, 1, 1]])  # a hole
    assert not fits([[0, 0, 0], [1, 1, 1]])  # an empty sequence


def test_a_batch_over_the_limit_takes_the_reference_loop_known_or_not():
    choice = choose_kernel(
        LSTM(H), training=True, gpu=False, backend="tensorflow", batch_size=256, steps=T
    )
    assert choice.kernel == "reference"
    assert choice.reason.startswith("auto: a batch of 256 is over 128, where the XLA loops")
    assert choose_kernel(LSTM(H), training=True, gpu=False, batch_size=128, steps=T).kernel == (
        "xla"
    )
    # Traced without a batch size, the batch picks the loop as the model runs.
    auto = LSTM(H, return_sequences=True, return_state=True)
    reference = LSTM(H, return_sequences=True, return_state=True, implementation="reference")
    for layer in (auto, reference):
        layer.build((None, T, D))
    reference.set_weights(rt.randomize_weights(auto))
    spec = tf.TensorSpec((None, T, D), tf.float32)

    def outputs_and_gradients(layer):
        @tf.function(input_signature=[spec])
        def run(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                outputs = layer(x, training=True)
                loss = tf.add_n([tf.reduce_sum(o * tf.cos(o)) for o in outputs])
            return outputs, tape.gradient(loss, [x] + layer.trainable_weights)

        return run

    for batch in (3, 130):
        x = tf.constant(rt.random_inputs((batch, T, D)))
        got, want = outputs_and_gradients(auto)(x), outputs_and_gradients(reference)(x)
        rt.assert_all_close(
            [np.asarray(t) for t in tf.nest.flatten(got)],
            [np.asarray(t) for t in tf.nest.flatten(want)],
        )
    assert auto.kernel_choice.kernel == "xla" and auto.kernel_choice.up_to_batch == 128
