import numpy as np
import pytest
import tensorflow as tf

from seqkeras.demo import sign_of_sum_task
from seqkeras.layers import LuongAttention
from seqkeras.models import build_many_to_one
from tests.models.builder_checks import assert_distinct_layer_weights
from tests.models.builder_checks import assert_gru_model_trains_one_step
from tests.models.builder_checks import assert_loss_falls
from tests.models.builder_checks import assert_saves_and_exports
from tests.models.builder_checks import compile_with_clipnorm
from tests.models.builder_checks import recurrent_kernels
from tests.models.builder_checks import sparse_loss


@pytest.mark.parametrize("cell", ["lstm", "vanilla"])
@pytest.mark.parametrize("pooling", ["last", "attention"])
def test_trains_with_clipnorm(cell, pooling):
    x, y = sign_of_sum_task()
    model = build_many_to_one(2, input_dim=3, units=16, cell=cell, pooling=pooling)
    assert model.output.shape == (None, 2)
    compile_with_clipnorm(model, sparse_loss(False), 0.02)
    assert_loss_falls(model, x, y, epochs=8)


def test_regression_forecast_trains():
    rng = np.random.default_rng(0)
    phase = rng.uniform(0, 2 * np.pi, size=(512, 1))
    t = np.arange(9)[None, :]
    series = np.sin(0.6 * t + phase).astype("float32")
    x, y = series[:, :8, None], series[:, 8:]
    model = build_many_to_one(1, input_dim=1, units=16, output_activation=None, num_layers=2)
    compile_with_clipnorm(model, "mse", 0.02)
    assert_loss_falls(model, x, y, epochs=10, factor=0.2)


def test_padding_steps_do_not_change_predictions_or_loss():
    x, y = sign_of_sum_task(n=8)
    model = build_many_to_one(
        2, input_dim=3, units=8, mask_value=0.0, bidirectional=True, pooling="attention"
    )
    padded = np.concatenate([x, np.zeros((8, 4, 3), "float32")], axis=1)
    np.testing.assert_allclose(
        model.predict(padded, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )
    compile_with_clipnorm(model, sparse_loss(False))
    assert model.evaluate(padded, y, verbose=0) == pytest.approx(
        model.evaluate(x, y, verbose=0), abs=1e-6
    )


def test_token_inputs_mask_padding():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 20, size=(4, 5)).astype("int32")
    model = build_many_to_one(3, vocab_size=20, embedding_dim=4, units=8)
    padded = np.concatenate([ids, np.zeros((4, 3), "int32")], axis=1)
    np.testing.assert_allclose(
        model.predict(padded, verbose=0), model.predict(ids, verbose=0), atol=1e-6
    )


def test_input_scale_equals_scaling_the_inputs_first_and_keeps_padding_masked():
    x, _ = sign_of_sum_task(n=8)
    raw = x * 16.0
    scaled = build_many_to_one(2, input_dim=3, units=8, mask_value=0.0, input_scale=1 / 16)
    plain = build_many_to_one(2, input_dim=3, units=8, mask_value=0.0)
    plain.set_weights(scaled.get_weights())  # Rescaling has no weights
    np.testing.assert_allclose(
        scaled.predict(raw, verbose=0), plain.predict(x, verbose=0), rtol=1e-6, atol=1e-7
    )
    padded = np.concatenate([raw, np.zeros((8, 3, 3), "float32")], axis=1)
    np.testing.assert_allclose(
        scaled.predict(padded, verbose=0), scaled.predict(raw, verbose=0), atol=1e-6
    )
    with pytest.raises(ValueError, match=r"`input_scale`.*0.5.*token ids"):
        build_many_to_one(2, vocab_size=10, input_scale=0.5)


def test_stacked_layers_have_their_own_weights():
    model = build_many_to_one(2, input_dim=3, units=8, num_layers=3)
    assert_distinct_layer_weights(model, 3)
    bidirectional = build_many_to_one(2, input_dim=3, units=8, num_layers=2, bidirectional=True)
    assert_distinct_layer_weights(bidirectional, 4)


def test_saves_and_exports(tmp_path):
    x, _ = sign_of_sum_task(n=4)
    model = build_many_to_one(
        2, input_dim=3, units=8, num_layers=2, bidirectional=True, pooling="attention"
    )
    assert_saves_and_exports(model, x, tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_outputs": 0, "input_dim": 3}, r"`num_outputs`.*positive integer.*0"),
        (
            {"num_outputs": 2, "input_dim": 3, "cell": "rnn"},
            r"`cell`.*'lstm'.*'vanilla'.*'gru'.*'rnn'",
        ),
        ({"num_outputs": 2, "input_dim": 3, "units": -3}, r"`units`.*positive integer.*-3"),
        ({"num_outputs": 2, "input_dim": 3, "num_layers": 0}, r"`num_layers`.*0"),
        ({"num_outputs": 2, "input_dim": 3, "dropout": 1.5}, r"`dropout`.*\[0, 1\).*1.5"),
        (
            {"num_outputs": 2, "input_dim": 3, "pooling": "max"},
            r"`pooling`.*'last'.*'attention'.*'max'",
        ),
        ({"num_outputs": 2}, r"exactly one of `vocab_size`.*`input_dim`.*None"),
        (
            {"num_outputs": 2, "input_dim": 3, "vocab_size": 9},
            r"exactly one of.*vocab_size=9.*input_dim=3",
        ),
        ({"num_outputs": 2, "vocab_size": -1}, r"`vocab_size`.*-1"),
        ({"num_outputs": 2, "input_dim": 3, "sequence_length": 0}, r"`sequence_length`.*0"),
        (
            {"num_outputs": 2, "input_dim": 3, "pooling": "attention", "attention": "dot"},
            r"`attention`: expected one of 'bahdanau', 'luong', got 'dot'",
        ),
    ],
)
def test_invalid_arguments(kwargs, message):
    num_outputs = kwargs.pop("num_outputs")
    with pytest.raises(ValueError, match=message):
        build_many_to_one(num_outputs, **kwargs)


def test_gru_cell_trains_bidirectional_and_stacked():
    x, y = sign_of_sum_task(n=16)
    model = build_many_to_one(
        2, input_dim=3, units=8, cell="gru", num_layers=2, bidirectional=True, pooling="attention"
    )
    assert_gru_model_trains_one_step(model, x, y, sparse_loss(False))
    assert len(recurrent_kernels(model)) == 4


@pytest.mark.parametrize("score", ["dot", "general", "concat"])
def test_luong_attention_pooling_masks_padding_and_has_gradients(score):
    x, y = sign_of_sum_task(n=16)
    model = build_many_to_one(
        2,
        input_dim=3,
        units=8,
        mask_value=0.0,
        bidirectional=True,
        pooling="attention",
        attention="luong",
        attention_score=score,
        scale_attention=True,
    )
    attention = model.get_layer("attention_pooling")
    assert isinstance(attention, LuongAttention) and attention.score == score
    padded = np.concatenate([x, np.zeros((16, 4, 3), "float32")], axis=1)
    np.testing.assert_allclose(model(padded), model(x), atol=1e-6)
    # Gradients reach the pooling's weights through the masked softmax.
    with tf.GradientTape() as tape:
        loss = sparse_loss(False)(y, model(padded, training=True))
    gradients = tape.gradient(loss, attention.trainable_weights)
    assert len(gradients) == {"dot": 1, "general": 2, "concat": 4}[score]
    for gradient in gradients:
        assert np.all(np.isfinite(gradient)) and np.abs(gradient).max() > 0
