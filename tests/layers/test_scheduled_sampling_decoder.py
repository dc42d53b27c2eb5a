import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.layers import AttentionDecoder
from seqkeras.layers import BahdanauAttention
from seqkeras.layers import GRUCell
from seqkeras.layers import LSTMCell
from seqkeras.layers import ScheduledSamplingDecoder
from tests.helpers import assert_config_round_trip

VOCAB, EMBEDDING, UNITS, ATTENTION_UNITS = 9, 6, 8, 7
MEMORY_STEPS, MEMORY_DIM = 5, 4
START = 2


def make_layer(
    cells=None, attention_layer_units=None, sampling="argmax", seed=1, bias=None, **kwargs
):
    decoder = AttentionDecoder(
        cells or LSTMCell(UNITS),
        BahdanauAttention(ATTENTION_UNITS),
        attention_layer_units=attention_layer_units,
    )
    embedding = keras.layers.Embedding(VOCAB, EMBEDDING, mask_zero=True)
    output_layer = keras.layers.Dense(
        VOCAB, bias_initializer="zeros" if bias is None else keras.initializers.Constant(bias)
    )
    return ScheduledSamplingDecoder(
        decoder, embedding, output_layer, sampling=sampling, seed=seed, **kwargs
    )


def random_case(seed=0):
    """Three sequences of 6, 4 and 1 real steps over memories of 5, 3 and 2 positions."""
    rng = np.random.default_rng(seed)
    memory = rng.normal(size=(3, MEMORY_STEPS, MEMORY_DIM)).astype("float32")
    memory_mask = np.arange(MEMORY_STEPS)[None] < np.array([5, 3, 2])[:, None]
    target_ids = rng.integers(3, VOCAB, size=(3, 6)).astype("int32")
    target_ids[:, 0] = START
    target_ids[np.arange(6)[None] >= np.array([6, 4, 1])[:, None]] = 0
    return target_ids, memory, memory_mask


def teacher_forced(layer, target_ids, memory, memory_mask, mask=None):
    inputs = layer.embedding(target_ids)
    outputs, _ = layer.decoder(inputs, memory, mask=mask, memory_mask=memory_mask)
    return np.asarray(layer.output_layer(outputs))


def argmax_fed_loop(layer, target_ids, memory, memory_mask):
    """The decoder run step by step, each step after the first reading the last argmax."""
    decoder = layer.decoder
    states = decoder.get_initial_state(len(target_ids), MEMORY_DIM)
    inputs = layer.embedding(target_ids[:, 0])
    logits = []
    for _ in range(target_ids.shape[1]):
        output, states, _ = decoder.step(inputs, states, memory, memory_mask=memory_mask)
        logits.append(np.asarray(layer.output_layer(output)))
        inputs = layer.embedding(np.argmax(logits[-1], axis=-1))
    return np.stack(logits, axis=1)


CELLS = {
    "lstm": lambda: (LSTMCell(UNITS), None),
    "stacked-gru-lstm-attention-layer": lambda: ([GRUCell(UNITS), LSTMCell(UNITS)], 9),
}


@pytest.mark.parametrize("cells", CELLS)
def test_probability_zero_is_the_teacher_forced_decoder_exactly(cells):
    target_ids, memory, memory_mask = random_case()
    cell, attention_layer_units = CELLS[cells]()
    layer = make_layer(cell, attention_layer_units)
    got = layer(target_ids, memory, memory_mask=memory_mask, probability=0.0, training=True)
    np.testing.assert_array_equal(got, teacher_forced(layer, target_ids, memory, memory_mask))
    np.testing.assert_array_equal(got._keras_mask, target_ids != 0)


@pytest.mark.parametrize("cells", CELLS)
def test_probability_one_feeds_the_argmax_of_the_previous_step(cells):
    target_ids, memory, memory_mask = random_case()
    cell, attention_layer_units = CELLS[cells]()
    layer = make_layer(cell, attention_layer_units)
    got = np.asarray(
        layer(target_ids, memory, memory_mask=memory_mask, probability=1.0, training=True)
    )
    real = target_ids != 0
    want = argmax_fed_loop(layer, target_ids, memory, memory_mask)
    np.testing.assert_allclose(got[real], want[real], atol=1e-6)
    # The fed predictions are not the targets: teacher forcing gives other logits.
    forced = teacher_forced(layer, target_ids, memory, memory_mask)
    assert np.abs(forced[real] - got[real]).max() > 1e-3
    # Padded steps are masked as in teacher forcing: zero outputs, bias logits.
    np.testing.assert_array_equal(got[~real], forced[~real])


def identical_rows(rows, target_ids, seed=0):
    memory = np.random.default_rng(seed).normal(size=(1, MEMORY_STEPS, MEMORY_DIM))
    memory = np.repeat(memory.astype("float32"), rows, axis=0)
    return np.repeat(np.array([target_ids], "int32"), rows, axis=0), memory


def second_step_inputs(layer, got, memory):
    """Which token each row read at step 1, recognised from its step-1 logits."""
    candidates, _ = identical_rows(VOCAB, [START, 0])
    candidates[:, 1] = np.arange(VOCAB)  # the padding id too: a prediction may be 0
    real = np.ones(candidates.shape, bool)
    want = teacher_forced(layer, candidates, memory[:VOCAB], None, mask=real)[:, 1]
    distances = np.abs(np.asarray(got)[:, 1, None, :] - want[None]).max(axis=-1)
    nearest = np.sort(distances, axis=1)
    assert np.all(nearest[:, 0] < 1e-5) and np.all(nearest[:, 1] > 1e-4)
    return np.argmin(distances, axis=1)


ROWS = 3000  # a frequency's standard deviation is at most 0.009


def test_sample_draws_the_fed_token_from_the_softmax():
    layer = make_layer(sampling="sample", seed=7, bias=[0.0, 1.0, -1.0, 0.5, 2.0, 0, 0, -2, 1])
    target_ids, memory = identical_rows(ROWS, [START, 3])
    got = layer(target_ids, memory, probability=1.0, training=True)
    first_logits = np.asarray(got)[0, 0].astype("float64")
    softmax = np.exp(first_logits) / np.exp(first_logits).sum()
    frequencies = np.bincount(second_step_inputs(layer, got, memory), minlength=VOCAB) / ROWS
    np.testing.assert_allclose(frequencies, softmax, atol=0.04)
    assert softmax.max() < 0.5  # a spread-out distribution, not a near-argmax


def test_each_step_reads_the_prediction_with_the_given_probability():
    layer = make_layer(seed=3, bias=[0, 0, 0, -5, 5, 0, 0, 0, 0])  # argmax 4, truth 3
    target_ids, memory = identical_rows(ROWS, [START, 3])
    got = layer(target_ids, memory, probability=0.3, training=True)
    assert np.argmax(np.asarray(got)[0, 0]) == 4
    read = second_step_inputs(layer, got, memory)
    assert set(np.unique(read)) == {3, 4}
    assert abs(np.mean(read == 4) - 0.3) < 0.04


def test_gradients_reach_every_weight_and_dropout_masks_are_cleared():
    target_ids, memory, memory_mask = random_case()
    layer = make_layer(LSTMCell(UNITS, dropout=0.3, recurrent_dropout=0.3), 9, sampling="sample")
    layer(target_ids, memory, memory_mask=memory_mask)
    with tf.GradientTape() as tape:
        logits = layer(target_ids, memory, memory_mask=memory_mask, probability=0.5, training=True)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(target_ids, logits)
    gradients = tape.gradient(loss, layer.trainable_variables)
    # embedding; cell kernels and bias; attention memory, query, v; attention
    # layer; logits kernel and bias
    assert len(gradients) == len(layer.trainable_variables) == 10
    for gradient in gradients:
        assert gradient is not None and np.all(np.isfinite(keras.ops.convert_to_numpy(gradient)))
    assert layer.decoder.cell._dropout_mask is None
    assert layer.decoder.cell._recurrent_dropout_mask is None


def test_gradients_compile_with_xla_and_match_graph_mode():
    # The target length is left unknown, as with bucketed batches;
    # probability 1 with argmax leaves nothing random to compare.
    target_ids, memory, memory_mask = random_case()
    layer = make_layer(LSTMCell(UNITS), 9)
    layer(target_ids, memory, memory_mask=memory_mask)
    signature = [
        tf.TensorSpec((None, None), tf.int32),
        tf.TensorSpec((None, None, MEMORY_DIM)),
        tf.TensorSpec((None, None), tf.bool),
    ]

    def loss_and_gradients(target_ids, memory, memory_mask):
        with tf.GradientTape() as tape:
            logits = layer(
                target_ids, memory, memory_mask=memory_mask, probability=1.0, training=True
            )
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(target_ids, logits)
        gradients = tape.gradient(loss, layer.trainable_variables)
        return loss, [tf.convert_to_tensor(g) for g in gradients]

    arguments = (target_ids, memory, memory_mask)
    graph = tf.function(loss_and_gradients, input_signature=signature)(*arguments)
    xla = tf.function(loss_and_gradients, input_signature=signature, jit_compile=True)(*arguments)
    np.testing.assert_allclose(xla[0], graph[0], rtol=1e-5)
    for got, want in zip(xla[1], graph[1]):
        assert np.abs(want).max() > 0
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_mixed_precision_keeps_the_teacher_forced_numbers_at_probability_zero():
    target_ids, memory, memory_mask = random_case()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        layer = make_layer(sampling="sample")
        layer.output_layer = keras.layers.Dense(VOCAB, dtype="float32")  # as the builders do
        got = layer(target_ids, memory, memory_mask=memory_mask, probability=0.0, training=True)
        # A float32 tensor, as the model computes it: Keras casts it to float16.
        half = keras.ops.convert_to_tensor(0.5, "float32")
        sampled = layer(target_ids, memory, memory_mask=memory_mask, probability=half)
    finally:
        keras.config.set_dtype_policy("float32")
    np.testing.assert_array_equal(got, teacher_forced(layer, target_ids, memory, memory_mask))
    assert got.dtype == sampled.dtype == "float32"
    assert np.all(np.isfinite(sampled))


def test_in_a_functional_model_and_through_a_keras_file(tmp_path):
    target_ids, memory, memory_mask = random_case()
    ids_input = keras.Input((None,), dtype="int32")
    memory_input = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    logits = make_layer(name="sampled")(ids_input, memory_input)
    assert logits.shape == (None, None, VOCAB)
    model = keras.Model([ids_input, memory_input], logits)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(reloaded([target_ids, memory]), model([target_ids, memory]))


def test_config_round_trip():
    layer = make_layer([GRUCell(UNITS), LSTMCell(UNITS)], 9, sampling="sample", seed=5)
    config = layer.get_config()
    assert (config["sampling"], config["seed"]) == ("sample", 5)
    assert_config_round_trip(layer)


def test_invalid_arguments_messages():
    decoder = make_layer().decoder
    embedding, dense = keras.layers.Embedding(4, 2), keras.layers.Dense(4)
    with pytest.raises(ValueError, match=r"`decoder`: expected a seqkeras.layers.AttentionDecoder"):
        ScheduledSamplingDecoder(LSTMCell(4), embedding, dense)
    with pytest.raises(ValueError, match=r"`output_layer`: expected a Keras layer, got 'dense'"):
        ScheduledSamplingDecoder(decoder, embedding, "dense")
    with pytest.raises(
        ValueError, match=r"`sampling`: expected one of 'argmax', 'sample'.*'top_k'"
    ):
        ScheduledSamplingDecoder(decoder, embedding, dense, sampling="top_k")
    with pytest.raises(ValueError, match=r"`seed`: expected an integer or None, got 1.5"):
        ScheduledSamplingDecoder(decoder, embedding, dense, seed=1.5)


def test_wrong_number_of_initial_states_message():
    target_ids, memory, _ = random_case()
    layer = make_layer()
    state = np.zeros((3, UNITS), "float32")
    with pytest.raises(ValueError, match=r"`initial_state`: expected the decoder's 2 cell.*got 4"):
        layer(target_ids, memory, initial_state=[state] * 4)
