import numpy as np
import pytest

from seqkeras.demo import VOCAB
from seqkeras.demo import grid_caption_task
from seqkeras.layers import LuongAttention
from seqkeras.models import OneToManyModel
from seqkeras.models import build_inference_models
from seqkeras.models import build_one_to_many
from tests.models.builder_checks import assert_distinct_layer_weights
from tests.models.builder_checks import assert_gru_model_trains_one_step
from tests.models.builder_checks import assert_inference_models_reload_in_fresh_process
from tests.models.builder_checks import assert_loss_falls
from tests.models.builder_checks import assert_saves_and_exports
from tests.models.builder_checks import compile_with_clipnorm
from tests.models.builder_checks import sparse_loss


def test_spatial_attention_learns_to_caption():
    inputs, target = grid_caption_task()
    model = build_one_to_many(VOCAB, (1, 3, VOCAB + 3), embedding_dim=8, units=16)
    assert model.output.shape == (None, None, VOCAB)
    compile_with_clipnorm(model, sparse_loss(True), 0.02)
    assert_loss_falls(model, inputs, target, epochs=8, factor=0.4)


@pytest.mark.parametrize("cell", ["lstm", "vanilla"])
def test_feature_vector_conditions_the_caption(cell):
    inputs, target = grid_caption_task()
    vector = {
        "features": inputs["features"].reshape(len(target), -1),
        "target_ids": inputs["target_ids"],
    }
    model = build_one_to_many(VOCAB, (3 * (VOCAB + 3),), embedding_dim=8, units=16, cell=cell)
    compile_with_clipnorm(model, sparse_loss(True), 0.02)
    assert_loss_falls(model, vector, target, epochs=8, factor=0.5)


def test_padded_caption_steps_do_not_change_the_loss():
    inputs, target = grid_caption_task(n=16)
    model = build_one_to_many(VOCAB, (1, 3, VOCAB + 3), embedding_dim=4, units=8)
    compile_with_clipnorm(model, sparse_loss(True))
    loss = model.evaluate(inputs, target, verbose=0)
    padded = dict(inputs, target_ids=np.pad(inputs["target_ids"], ((0, 0), (0, 2))))
    padded_target = np.pad(target, ((0, 0), (0, 2)), constant_values=4)
    assert model.evaluate(padded, padded_target, verbose=0) == pytest.approx(loss, abs=1e-6)


def test_inference_models_reproduce_teacher_forcing():
    inputs, _ = grid_caption_task(n=3)
    model = build_one_to_many(VOCAB, (1, 3, VOCAB + 3), embedding_dim=4, units=8, num_layers=2)
    logits = model.predict(inputs, verbose=0)
    encoder, step = build_inference_models(model)
    memory, memory_mask, *states = encoder.predict(inputs["features"], verbose=0)
    assert memory.shape == (3, 3, 8) and memory_mask.all()
    for t in range(inputs["target_ids"].shape[1]):
        step_logits, alignments, *states = step.predict(
            [inputs["target_ids"][:, t], memory, memory_mask, *states], verbose=0
        )
        np.testing.assert_allclose(step_logits, logits[:, t], atol=1e-5)
        np.testing.assert_allclose(alignments.sum(-1), 1.0, atol=1e-6)


@pytest.mark.parametrize("feature_shape", [(1, 3, VOCAB + 3), (3 * (VOCAB + 3),)])
def test_inference_models_after_reload_in_a_fresh_process(feature_shape, tmp_path):
    inputs, _ = grid_caption_task(n=3)
    features = inputs["features"].reshape(3, *feature_shape)
    model = build_one_to_many(VOCAB, feature_shape, embedding_dim=4, units=8)
    assert isinstance(model, OneToManyModel)
    assert model.get_config()["feature_shape"] == feature_shape
    assert_inference_models_reload_in_fresh_process(
        model, features, inputs["target_ids"][:, :3], tmp_path
    )


def test_stacked_decoder_has_its_own_weights():
    model = build_one_to_many(VOCAB, (5,), units=8, num_layers=3)
    assert_distinct_layer_weights(model, 3)


def test_saves_and_exports(tmp_path):
    inputs, _ = grid_caption_task(n=3)
    model = build_one_to_many(
        VOCAB, (1, 3, VOCAB + 3), embedding_dim=4, units=8, num_layers=2, normalize_attention=True
    )
    assert_saves_and_exports(model, inputs, tmp_path)


@pytest.mark.parametrize(
    "feature_shape, message",
    [
        ((4, 4), r"`feature_shape`.*\(depth,\) or \(height, width, depth\).*\(4, 4\)"),
        (16, r"`feature_shape`.*16"),
        ((0,), r"`feature_shape`.*positive integer.*0"),
    ],
)
def test_invalid_feature_shape(feature_shape, message):
    with pytest.raises(ValueError, match=message):
        build_one_to_many(VOCAB, feature_shape)


def test_gru_cell_in_the_attention_decoder():
    inputs, target = grid_caption_task(n=8)
    model = build_one_to_many(
        VOCAB, (1, 3, VOCAB + 3), embedding_dim=4, units=8, cell="gru", num_layers=2
    )
    assert_gru_model_trains_one_step(model, inputs, target, sparse_loss(True))
    encoder, step = build_inference_models(model)
    _, _, *states = encoder.predict(inputs["features"], verbose=0)
    assert len(states) == 2 + 1  # h per decoder layer + attention


def test_luong_dot_attention_over_the_grid_reproduces_teacher_forcing():
    # The grid is projected to `units`, the decoder's query size: the dot
    # score fits without a projection of its own.
    inputs, _ = grid_caption_task(n=3)
    model = build_one_to_many(
        VOCAB,
        (1, 3, VOCAB + 3),
        embedding_dim=4,
        units=8,
        attention="luong",
        attention_score="dot",
        scale_attention=True,
    )
    attention = model.get_layer("decoder").attention
    assert isinstance(attention, LuongAttention) and attention.score == "dot"
    assert model.get_config()["attention_score"] == "dot"
    logits = np.asarray(model(inputs))
    encoder, step = build_inference_models(model)
    memory, memory_mask, *states = encoder(inputs["features"])
    for t in range(inputs["target_ids"].shape[1]):
        step_logits, alignments, *states = step(
            [inputs["target_ids"][:, t], memory, memory_mask, *states]
        )
        np.testing.assert_allclose(step_logits, logits[:, t], atol=1e-5)
        np.testing.assert_allclose(np.sum(alignments, -1), 1.0, atol=1e-6)
