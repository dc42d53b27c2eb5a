import keras
import numpy as np
import pytest

from seqkeras.decoding import BeamSearch
from seqkeras.decoding import DecodingStep
from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.decoding import generate
from seqkeras.demo import END
from seqkeras.demo import START
from seqkeras.demo import VOCAB
from seqkeras.demo import reverse_task
from seqkeras.layers import LuongAttention
from seqkeras.models import Seq2SeqModel
from seqkeras.models import build_inference_models
from seqkeras.models import build_seq2seq
from tests.models.builder_checks import assert_distinct_layer_weights
from tests.models.builder_checks import assert_gru_model_trains_one_step
from tests.models.builder_checks import assert_inference_models_reload_in_fresh_process
from tests.models.builder_checks import assert_loss_falls
from tests.models.builder_checks import assert_saves_and_exports
from tests.models.builder_checks import compile_with_clipnorm
from tests.models.builder_checks import sparse_loss


@pytest.mark.parametrize("cell", ["lstm", "vanilla"])
def test_learns_to_reverse(cell):
    inputs, target = reverse_task()
    model = build_seq2seq(VOCAB, VOCAB, embedding_dim=8, units=16, cell=cell)
    assert model.output.shape == (None, None, VOCAB)
    compile_with_clipnorm(model, sparse_loss(True), 0.02)
    assert_loss_falls(model, inputs, target, epochs=6, factor=0.5)


def test_padding_does_not_change_loss_or_attention():
    inputs, target = reverse_task(n=16)
    model = build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8)
    compile_with_clipnorm(model, sparse_loss(True))
    loss = model.evaluate(inputs, target, verbose=0)
    padded = {k: np.pad(v, ((0, 0), (0, 3))) for k, v in inputs.items()}
    padded_target = np.pad(target, ((0, 0), (0, 3)), constant_values=5)
    assert model.evaluate(padded, padded_target, verbose=0) == pytest.approx(loss, abs=1e-6)
    encoder, _ = build_inference_models(model)
    _, memory_mask, *_ = encoder.predict(padded["source_ids"], verbose=0)
    np.testing.assert_array_equal(memory_mask, padded["source_ids"] != 0)


@pytest.mark.parametrize("attention_layer_units", [None, 12])
def test_inference_models_reproduce_teacher_forcing(attention_layer_units):
    inputs, _ = reverse_task(n=4)
    model = build_seq2seq(
        VOCAB,
        VOCAB,
        embedding_dim=4,
        units=8,
        encoder_layers=2,
        decoder_layers=2,
        attention_layer_units=attention_layer_units,
        normalize_attention=True,
    )
    logits = model.predict(inputs, verbose=0)
    encoder, step = build_inference_models(model)
    memory, memory_mask, *states = encoder.predict(inputs["source_ids"], verbose=0)
    assert len(states) == 2 * 2 + 1  # (h, c) per decoder layer + attention
    decoder_in = inputs["target_ids"]
    for t in range(decoder_in.shape[1]):
        step_logits, alignments, *states = step.predict(
            [decoder_in[:, t], memory, memory_mask, *states], verbose=0
        )
        real = decoder_in[:, t] != 0
        np.testing.assert_allclose(step_logits[real], logits[real, t], atol=1e-5)
        assert np.all(alignments[~memory_mask] == 0.0)


def test_inference_models_after_reload(tmp_path):
    inputs, _ = reverse_task(n=4)
    model = build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8)
    path = tmp_path / "seq2seq.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    encoder, step = build_inference_models(reloaded)
    memory, mask, *states = encoder.predict(inputs["source_ids"], verbose=0)
    first, _, *_ = step.predict([inputs["target_ids"][:, 0], memory, mask, *states], verbose=0)
    np.testing.assert_allclose(first, model.predict(inputs, verbose=0)[:, 0], atol=1e-5)


def test_inference_models_after_reload_in_a_fresh_process(tmp_path):
    inputs, _ = reverse_task(n=4)
    model = build_seq2seq(
        VOCAB,
        VOCAB,
        embedding_dim=4,
        units=8,
        decoder_layers=2,
        attention_layer_units=6,
        name="reverser",
    )
    assert_inference_models_reload_in_fresh_process(
        model, inputs["source_ids"], inputs["target_ids"][:, :3], tmp_path
    )


def test_is_a_seq2seq_model_configured_by_the_builder_arguments():
    model = build_seq2seq(
        VOCAB,
        VOCAB + 2,
        embedding_dim=4,
        units=8,
        encoder_layers=2,
        attention_units=5,
        dropout=0.1,
        name="translator",
    )
    assert isinstance(model, Seq2SeqModel)
    config = model.get_config()
    assert config["name"] == "translator"
    assert {
        k: config[k] for k in ("target_vocab_size", "encoder_layers", "attention_units", "dropout")
    } == {"target_vocab_size": VOCAB + 2, "encoder_layers": 2, "attention_units": 5, "dropout": 0.1}
    clone = Seq2SeqModel.from_config(config)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]


def test_stacked_encoder_and_decoder_have_their_own_weights():
    model = build_seq2seq(
        VOCAB, VOCAB, units=8, encoder_layers=2, decoder_layers=2, bidirectional_encoder=False
    )
    assert_distinct_layer_weights(model, 4)


def test_saves_and_exports(tmp_path):
    inputs, _ = reverse_task(n=4)
    model = build_seq2seq(
        VOCAB,
        VOCAB,
        embedding_dim=4,
        units=8,
        encoder_layers=2,
        decoder_layers=2,
        attention_layer_units=6,
    )
    assert_saves_and_exports(model, inputs, tmp_path)


def test_inference_models_reject_other_models():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="mlp")
    with pytest.raises(ValueError, match=r"`model`.*build_seq2seq.*'mlp' \(Sequential\)"):
        build_inference_models(model)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"source_vocab_size": 0}, r"`source_vocab_size`.*0"),
        ({"target_vocab_size": -2}, r"`target_vocab_size`.*-2"),
        ({"decoder_layers": 0}, r"`decoder_layers`.*0"),
        ({"encoder_layers": "2"}, r"`encoder_layers`.*'2'"),
        ({"attention_units": 0}, r"`attention_units`.*0"),
        ({"attention_layer_units": -1}, r"`attention_layer_units`.*-1"),
        ({"cell": "LSTM"}, r"`cell`.*'LSTM'"),
        ({"attention": "Luong"}, r"`attention`: expected one of 'bahdanau', 'luong', got 'Luong'"),
        ({"attention_score": "dot"}, r"`attention_score`: expected None with Bahdanau.*'dot'"),
        ({"scale_attention": True}, r"`scale_attention`: expected False with Bahdanau.*True"),
        (
            {"attention": "luong", "normalize_attention": True},
            r"`normalize_attention`: expected False with Luong.*True",
        ),
        (
            {"attention": "luong", "attention_score": "cosine"},
            r"`attention_score`: expected one of 'dot', 'general', 'concat', got 'cosine'",
        ),
        (
            {"attention": "luong", "units": 8, "attention_units": 5},
            r"`attention_units`: expected None or the query's size, 8, with Luong.*'general'.*5",
        ),
        (
            # The bidirectional encoder's outputs have 2 x 8 features.
            {"attention": "luong", "attention_score": "dot", "units": 8},
            r"`attention_score`: .*query of the memory's size.*8 features, the memory 16.*'dot'",
        ),
        (
            {"attention_layer_activation": "linear"},
            r"`attention_layer_activation`.*'linear' with attention_layer_units=None",
        ),
    ],
)
def test_invalid_arguments(kwargs, message):
    args = {"source_vocab_size": 5, "target_vocab_size": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_seq2seq(args.pop("source_vocab_size"), args.pop("target_vocab_size"), **args)


def test_inference_models_are_built_once_per_model():
    model = build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8)
    first = model.inference_models()
    keras.backend.clear_session()  # resets the names Keras generates
    assert build_inference_models(model) is first
    assert model.inference_models() is first


def test_the_step_takes_numpy_token_ids_beside_the_encoders_tensors_without_warnings():
    import warnings

    model = build_seq2seq(source_vocab_size=12, target_vocab_size=9, units=8, embedding_dim=4)
    encoder, step = build_inference_models(model)
    source = np.array([[4, 5, 6, 0], [7, 8, 0, 0]], "int32")
    memory, memory_mask, *states = encoder(source)  # memory carries a Keras mask
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "does not support masking" was warned here
        mixed = step([np.array([2, 2], "int32"), memory, memory_mask, *states])
    tensors = step(
        [keras.ops.convert_to_tensor(np.array([2, 2], "int32")), memory, memory_mask, *states]
    )
    for a, b in zip(mixed, tensors):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


def test_gru_cell_in_encoder_and_attention_decoder():
    inputs, target = reverse_task(n=4)
    model = build_seq2seq(
        VOCAB, VOCAB, embedding_dim=4, units=8, cell="gru", encoder_layers=2, decoder_layers=2
    )
    assert_gru_model_trains_one_step(model, inputs, target, sparse_loss(True))
    logits = np.asarray(model(inputs))
    encoder, step = build_inference_models(model)
    memory, memory_mask, *states = encoder(inputs["source_ids"])
    assert len(states) == 2 + 1  # h per decoder layer + attention
    decoder_in = inputs["target_ids"]
    for t in range(decoder_in.shape[1]):
        step_logits, _, *states = step([decoder_in[:, t], memory, memory_mask, *states])
        real = decoder_in[:, t] != 0
        np.testing.assert_allclose(np.asarray(step_logits)[real], logits[real, t], atol=1e-5)


def python_greedy(model, source, max_length):
    """Greedy decoding as a Python loop over the inference models' direct calls.

    Id 0 is padding and never generated, so the argmax is over ids from 1.
    """
    encoder, step = model.inference_models()
    memory, mask, *states = encoder(source)
    token = np.full(len(source), START, "int32")
    tokens = []
    for _ in range(max_length):
        logits, _, *states = step([token, memory, mask, *states])
        token = (1 + np.argmax(np.asarray(logits)[:, 1:], axis=-1)).astype("int32")
        tokens.append(token)
    tokens = np.stack(tokens, axis=1)
    ended = tokens == END
    lengths = np.where(ended.any(axis=1), ended.argmax(axis=1) + 1, max_length)
    return [row[:length] for row, length in zip(tokens, lengths)]


def test_luong_attention_decodes_in_graph_with_greedy_sampling_and_beam(tmp_path):
    inputs, _ = reverse_task(n=8, max_length=4)
    model = build_seq2seq(
        VOCAB,
        VOCAB,
        embedding_dim=8,
        units=16,
        attention="luong",
        attention_score="general",
        scale_attention=True,
        attention_layer_units=12,
        attention_layer_activation="linear",
    )
    attention = model.get_layer("decoder").attention
    assert isinstance(attention, LuongAttention)
    assert (attention.score, attention.scale) == ("general", True)
    source = reverse_task(n=6, max_length=4, seed=3)[0]["source_ids"]
    step = DecodingStep.from_model(model)
    greedy = generate(step, source, Greedy(6), start_id=START, end_id=END)
    for b, tokens in enumerate(python_greedy(model, source, 6)):
        assert int(greedy.lengths[b]) == len(tokens)
        np.testing.assert_array_equal(greedy.tokens[b, : len(tokens)], tokens)
    # Sampling among the single most likely token is greedy search.
    sampled = generate(step, source, Sampling(top_k=1, max_length=6), start_id=START, end_id=END)
    np.testing.assert_array_equal(sampled.tokens, greedy.tokens)
    beam = generate(step, source, BeamSearch(3, max_length=6), start_id=START, end_id=END)
    assert np.all(beam.scores.numpy() >= greedy.scores.numpy() - 1e-4)
    # The beam tiles the memory, from which the step projects Luong's keys:
    # each source decodes in the batch exactly as it does alone.
    for b in range(len(source)):
        alone = generate(
            step, source[b : b + 1], BeamSearch(3, max_length=6), start_id=START, end_id=END
        )
        length = int(alone.lengths[0])
        assert int(beam.lengths[b]) == length
        np.testing.assert_array_equal(beam.tokens[b, :length], alone.tokens[0, :length])
        np.testing.assert_allclose(beam.scores[b], alone.scores[0], atol=1e-5)
    path = tmp_path / "luong.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    assert reloaded.get_config() == model.get_config()
    np.testing.assert_allclose(reloaded(inputs), model(inputs), atol=1e-6)
