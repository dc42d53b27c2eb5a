import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.layers import AttentionDecoder
from seqkeras.layers import BahdanauAttention
from seqkeras.layers import LuongAttention
from tests.helpers import assert_config_round_trip
from tests.helpers import assert_export_reloads
from tests.helpers import assert_reloads_in_fresh_process
from tests.layers.test_bahdanau_attention import layer_weights
from tests.layers.test_bahdanau_attention import numpy_bahdanau
from tests.layers.test_luong_attention import numpy_luong
from tests.layers.test_luong_attention import paper_weights

BATCH, TARGET_STEPS, INPUT_DIM = 3, 5, 4
MEMORY_STEPS, MEMORY_DIM, UNITS, ATTENTION_UNITS = 6, 5, 8, 7


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=-1)  # Keras gate order (i, f, c, o)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def numpy_attention(attention):
    """The NumPy formula of an attention layer, as `f(query, memory, mask)`."""
    if isinstance(attention, LuongAttention):
        weights = paper_weights(attention)
        return lambda *args: numpy_luong(*args, weights, attention.score)
    weights = layer_weights(attention)
    return lambda *args: numpy_bahdanau(*args, weights, attention.normalize)


LAYER_ACTIVATIONS = {"tanh": np.tanh, "linear": lambda x: x}


def numpy_decoder(decoder, inputs, memory, memory_mask, target_mask):
    """The decoder loop of the class docstring, in float64 NumPy."""
    kernel, recurrent_kernel, bias = (w.astype("float64") for w in decoder.cell.get_weights())
    attend = numpy_attention(decoder.attention)
    layer_activation = LAYER_ACTIVATIONS[decoder.attention_layer_activation]
    batch = inputs.shape[0]
    h = np.zeros((batch, UNITS))
    c = np.zeros((batch, UNITS))
    fed = np.zeros((batch, decoder._attention_size(MEMORY_DIM)))
    outputs, history = [], []
    for t in range(inputs.shape[1]):
        h_new, c_new = numpy_lstm_step(
            np.concatenate([inputs[:, t], fed], -1), h, c, kernel, recurrent_kernel, bias
        )
        context, alignments = attend(h_new, memory, memory_mask)
        combined = np.concatenate([h_new, context], -1)
        if decoder.attention_layer is not None:
            w = decoder.attention_layer.kernel.numpy().astype("float64")
            fed_new = layer_activation(combined @ w)
            output = fed_new
        else:
            fed_new, output = context, combined
        keep = target_mask[:, t : t + 1]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        fed = np.where(keep, fed_new, fed)
        outputs.append(np.where(keep, output, 0.0))
        history.append(np.where(keep, alignments, 0.0))
    return np.stack(outputs, 1), np.stack(history, 1), [h, c, fed]


def random_case(seed=0):
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(BATCH, TARGET_STEPS, INPUT_DIM)).astype("float32")
    memory = rng.normal(size=(BATCH, MEMORY_STEPS, MEMORY_DIM)).astype("float32")
    memory_mask = np.arange(MEMORY_STEPS)[None] < np.array([6, 4, 2])[:, None]
    target_mask = np.arange(TARGET_STEPS)[None] < np.array([5, 3, 1])[:, None]
    return inputs, memory, memory_mask, target_mask


def make_decoder(attention_layer_units=None, normalize=False, attention=None, **kwargs):
    return AttentionDecoder(
        keras.layers.LSTMCell(UNITS),
        attention or BahdanauAttention(ATTENTION_UNITS, normalize=normalize),
        attention_layer_units=attention_layer_units,
        **kwargs,
    )


@pytest.mark.parametrize("attention_layer_units", [None, 9])
@pytest.mark.parametrize("normalize", [False, True])
def test_matches_numpy_loop(attention_layer_units, normalize):
    inputs, memory, memory_mask, target_mask = random_case()
    decoder = make_decoder(attention_layer_units, normalize, return_state=True)
    outputs, alignments, states = decoder(inputs, memory, mask=target_mask, memory_mask=memory_mask)
    want_outputs, want_alignments, want_states = numpy_decoder(
        decoder, inputs.astype("float64"), memory.astype("float64"), memory_mask, target_mask
    )
    np.testing.assert_allclose(outputs, want_outputs, atol=1e-5)
    np.testing.assert_allclose(alignments, want_alignments, atol=1e-5)
    for got, want in zip(states, want_states):
        np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize(
    "attention, layer_activation",
    [
        # The loop of tfa.seq2seq.AttentionWrapper(attention_layer_size=9).
        (lambda: BahdanauAttention(ATTENTION_UNITS), "linear"),
        (lambda: LuongAttention(score="general", scale=True), "tanh"),
        (lambda: LuongAttention(ATTENTION_UNITS, score="concat"), "linear"),
    ],
    ids=["bahdanau-linear", "luong-general-tanh", "luong-concat-linear"],
)
def test_matches_numpy_loop_with_each_attention_and_layer_activation(attention, layer_activation):
    inputs, memory, memory_mask, target_mask = random_case()
    decoder = make_decoder(
        9, attention=attention(), attention_layer_activation=layer_activation, return_state=True
    )
    outputs, alignments, states = decoder(inputs, memory, mask=target_mask, memory_mask=memory_mask)
    if getattr(decoder.attention, "scale", False):
        decoder.attention.attention_g.assign(1.6)  # away from its initial 1
        outputs, alignments, states = decoder(
            inputs, memory, mask=target_mask, memory_mask=memory_mask
        )
    want_outputs, want_alignments, want_states = numpy_decoder(
        decoder, inputs.astype("float64"), memory.astype("float64"), memory_mask, target_mask
    )
    np.testing.assert_allclose(outputs, want_outputs, atol=1e-5)
    np.testing.assert_allclose(alignments, want_alignments, atol=1e-5)
    for got, want in zip(states, want_states):
        np.testing.assert_allclose(got, want, atol=1e-5)
    if layer_activation == "linear":
        # Outputs where tanh(x) is far from x: a tanh in place of the linear
        # layer would fail the comparison above.
        outputs = np.asarray(outputs)
        assert np.abs(outputs - np.tanh(outputs)).max() > 1e-3


def test_gradients_compile_with_xla_and_match_graph_mode():
    # The loop must have a fixed iteration count for XLA to compile its
    # gradient; the target length is left unknown, as with bucketed batches.
    inputs, memory, memory_mask, target_mask = random_case()
    decoder = make_decoder(attention_layer_units=9)
    decoder(inputs, memory)
    signature = [
        tf.TensorSpec((None, None, INPUT_DIM)),
        tf.TensorSpec((None, None, MEMORY_DIM)),
        tf.TensorSpec((None, None), tf.bool),
        tf.TensorSpec((None, None), tf.bool),
    ]

    def loss_and_gradients(inputs, memory, memory_mask, target_mask):
        with tf.GradientTape() as tape:
            outputs, alignments = decoder(inputs, memory, mask=target_mask, memory_mask=memory_mask)
            loss = tf.reduce_sum(outputs**2) + tf.reduce_sum(
                alignments * tf.range(MEMORY_STEPS, dtype="float32")
            )
        return loss, tape.gradient(loss, decoder.trainable_variables)

    arguments = (inputs, memory, memory_mask, target_mask)
    graph = tf.function(loss_and_gradients, input_signature=signature)(*arguments)
    xla = tf.function(loss_and_gradients, input_signature=signature, jit_compile=True)(*arguments)
    np.testing.assert_allclose(xla[0], graph[0], rtol=1e-5)
    # cell kernel, recurrent kernel, bias; memory, query, v; attention layer
    assert len(graph[1]) == len(decoder.trainable_variables) == 7
    for got, want in zip(xla[1], graph[1]):
        assert np.abs(want).max() > 0
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_step_by_step_equals_the_whole_sequence():
    inputs, memory, memory_mask, _ = random_case()
    decoder = make_decoder(9, return_state=True)
    outputs, alignments, final_states = decoder(inputs, memory, memory_mask=memory_mask)
    states = decoder.get_initial_state(BATCH)
    keys = decoder.attention.project_memory(memory, memory_mask)
    for t in range(TARGET_STEPS):
        output, states, step_alignments = decoder.step(
            inputs[:, t], states, memory, keys, memory_mask
        )
        np.testing.assert_allclose(output, outputs[:, t], atol=1e-6)
        np.testing.assert_allclose(step_alignments, alignments[:, t], atol=1e-6)
    for got, want in zip(states, final_states):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_initial_state_continues_a_split_sequence():
    inputs, memory, _, _ = random_case()
    decoder = make_decoder(return_state=True)
    whole, _, _ = decoder(inputs, memory)
    first, _, states = decoder(inputs[:, :2], memory)
    second, _, _ = decoder(inputs[:, 2:], memory, initial_state=states)
    np.testing.assert_allclose(np.concatenate([first, second], 1), whole, atol=1e-6)
    # Cell states only: the attention vector restarts from zero, which changes
    # the continuation.
    restarted, _, _ = decoder(inputs[:, 2:], memory, initial_state=states[:2])
    assert np.abs(np.asarray(restarted) - np.asarray(second)).max() > 1e-4


def test_padded_target_steps_do_not_change_real_steps():
    inputs, memory, memory_mask, target_mask = random_case()
    decoder = make_decoder(return_state=True)
    _, _, states = decoder(inputs, memory, mask=target_mask, memory_mask=memory_mask)
    # Row 1 has 3 real steps: its final state is that of the 3-step sequence.
    _, _, short_states = decoder(inputs[1:2, :3], memory[1:2], memory_mask=memory_mask[1:2])
    for got, want in zip(states, short_states):
        np.testing.assert_allclose(np.asarray(got)[1:2], want, atol=1e-6)


def test_keras_masks_flow_from_embedding_and_encoder():
    vocab = 11
    target_ids = keras.Input((None,), dtype="int32")
    memory_input = keras.Input((None, MEMORY_DIM))
    embedded = keras.layers.Embedding(vocab, INPUT_DIM, mask_zero=True)(target_ids)
    masked_memory = keras.layers.Masking()(memory_input)
    outputs, alignments = make_decoder()(embedded, masked_memory)
    model = keras.Model([target_ids, memory_input], [outputs, alignments])
    ids = np.array([[3, 4, 5, 0, 0], [6, 0, 0, 0, 0]], "int32")
    memory = np.random.default_rng(0).normal(size=(2, 4, MEMORY_DIM)).astype("float32")
    memory[0, 3:] = 0.0
    got_outputs, got_alignments = model.predict([ids, memory], verbose=0)
    assert np.all(got_alignments[0, :, 3] == 0.0)
    assert np.all(got_alignments[ids == 0] == 0.0)
    assert np.all(got_outputs[ids == 0] == 0.0)
    # The output carries the target mask, so a loss on it skips padding.
    assert model.outputs[0]._keras_mask is not None


def test_stacked_cells_have_their_own_weights():
    inputs, memory, _, _ = random_case()
    decoder = AttentionDecoder(
        [keras.layers.LSTMCell(UNITS), keras.layers.LSTMCell(UNITS)],
        BahdanauAttention(ATTENTION_UNITS),
        return_state=True,
    )
    outputs, _, states = decoder(inputs, memory)
    assert len(states) == 5  # h, c per layer, then the attention vector
    kernels = [w for w in decoder.weights if w.path.endswith("/kernel")]
    first, second = decoder.cell.cells
    assert first.kernel.shape == (INPUT_DIM + MEMORY_DIM, 4 * UNITS)
    assert second.kernel.shape == (UNITS, 4 * UNITS)
    assert len({id(k) for k in kernels}) == len(kernels)
    assert outputs.shape == (BATCH, TARGET_STEPS, UNITS + MEMORY_DIM)


def copy_task(n=256, seed=0):
    """Read the memory's symbols out in order: attention must move along.

    Each memory slot holds a one-hot symbol and a one-hot position; the
    decoder input at step t is the one-hot position t.
    """
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, 4, size=(n, 4))
    position = np.tile(np.eye(4, dtype="float32")[None], (n, 1, 1))
    memory = np.concatenate([np.eye(4, dtype="float32")[symbols], position], -1)
    return [position, memory], symbols


def test_learns_to_copy_with_fit_and_clipnorm():
    (position, memory), symbols = copy_task()
    position_input = keras.Input((4, 4))
    memory_input = keras.Input((4, 8))
    outputs, _ = make_decoder()(position_input, memory_input)
    logits = keras.layers.Dense(4)(outputs)
    model = keras.Model([position_input, memory_input], logits)
    model.compile(
        keras.optimizers.Adam(0.02, clipnorm=1.0),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit([position, memory], symbols, epochs=40, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


def test_dropout_applies_in_training_only_and_fits():
    inputs, memory, _, _ = random_case()
    decoder = AttentionDecoder(
        keras.layers.LSTMCell(UNITS, dropout=0.5, recurrent_dropout=0.5),
        BahdanauAttention(ATTENTION_UNITS),
    )
    inference_a, _ = decoder(inputs, memory)
    inference_b, _ = decoder(inputs, memory, training=False)
    trained, _ = decoder(inputs, memory, training=True)
    np.testing.assert_array_equal(inference_a, inference_b)
    assert np.abs(np.asarray(trained) - np.asarray(inference_a)).max() > 1e-3
    input_tensor = keras.Input((TARGET_STEPS, INPUT_DIM))
    memory_tensor = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    outputs, _ = decoder(input_tensor, memory_tensor)
    model = keras.Model([input_tensor, memory_tensor], outputs)
    model.compile("adam", "mse")
    target = np.zeros((BATCH, TARGET_STEPS, UNITS + MEMORY_DIM), "float32")
    history = model.fit([inputs, memory], target, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_config_round_trip():
    assert_config_round_trip(make_decoder(9, normalize=True, name="decoder"))
    luong = LuongAttention(score="concat", scale=True)
    config = make_decoder(9, attention=luong, attention_layer_activation="linear").get_config()
    assert config["attention_layer_activation"] == "linear"
    assert_config_round_trip(AttentionDecoder.from_config(config))


def test_save_reload_and_export(tmp_path):
    inputs, memory, memory_mask, _ = random_case()
    input_tensor = keras.Input((None, INPUT_DIM))
    memory_tensor = keras.Input((None, MEMORY_DIM))
    mask_tensor = keras.Input((None,), dtype="bool")
    outputs, alignments, states = AttentionDecoder(
        [keras.layers.LSTMCell(UNITS), keras.layers.SimpleRNNCell(UNITS)],
        BahdanauAttention(ATTENTION_UNITS, normalize=True),
        attention_layer_units=9,
        return_state=True,
    )(input_tensor, memory_tensor, memory_mask=mask_tensor)
    model = keras.Model([input_tensor, memory_tensor, mask_tensor], [outputs, alignments, *states])
    case = [inputs, memory, memory_mask]
    assert_reloads_in_fresh_process(model, case, tmp_path)
    assert_export_reloads(model, case, tmp_path)


def test_invalid_cell_message():
    with pytest.raises(ValueError, match=r"`cell`: expected a recurrent cell.*'lstm'"):
        AttentionDecoder("lstm", BahdanauAttention(4))


def test_invalid_attention_message():
    with pytest.raises(ValueError, match=r"`attention`.*project_memory.*Dense"):
        AttentionDecoder(keras.layers.LSTMCell(4), keras.layers.Dense(3))


def test_invalid_attention_layer_units_message():
    with pytest.raises(ValueError, match=r"`attention_layer_units`.*positive integer.*-2"):
        make_decoder(attention_layer_units=-2)


def test_invalid_attention_layer_activation_message():
    with pytest.raises(
        ValueError,
        match=r"`attention_layer_activation`: expected one of 'tanh', 'linear', got 'relu'",
    ):
        make_decoder(attention_layer_units=9, attention_layer_activation="relu")
    with pytest.raises(
        ValueError,
        match=r"`attention_layer_activation`.*attention_layer_units.*'linear' with "
        r"attention_layer_units=None",
    ):
        make_decoder(attention_layer_activation="linear")


def test_wrong_number_of_initial_states_message():
    inputs, memory, _, _ = random_case()
    decoder = make_decoder()
    with pytest.raises(ValueError, match=r"`initial_state`: expected 2 cell state.*got 1"):
        decoder(inputs, memory, initial_state=[np.zeros((BATCH, UNITS), "float32")])


def test_initial_state_of_an_unbuilt_decoder_needs_memory_dim():
    with pytest.raises(ValueError, match=r"needs `memory_dim`.*got None"):
        make_decoder().get_initial_state(2)
    states = make_decoder().get_initial_state(2, memory_dim=MEMORY_DIM)
    assert [tuple(s.shape) for s in states] == [(2, UNITS), (2, UNITS), (2, MEMORY_DIM)]
