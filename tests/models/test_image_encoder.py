"""Image encoders, and the captioning model that takes images through one."""

import keras
import numpy as np
import pytest

from seqkeras.models import IMAGE_ENCODERS
from seqkeras.models import OneToManyModel
from seqkeras.models import build_image_encoder
from seqkeras.models import build_one_to_many
from seqkeras.models.image_encoder import APPLICATIONS
from tests.models.builder_checks import assert_model_config_round_trip
from tests.models.builder_checks import compile_with_clipnorm
from tests.models.builder_checks import run_inference_models
from tests.models.builder_checks import sparse_loss

VOCAB = 7


def images(count, size=(16, 16), seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, *size, 3)).astype("float32")


def caption_ids(count, seed=0):
    ids = np.random.default_rng(seed).integers(4, VOCAB, (count, 3))
    return np.concatenate([np.full((count, 1), 2), ids], axis=1).astype("int32")


def test_cnn_encoder_maps_pixels_to_a_grid_and_rescales_inside():
    encoder = build_image_encoder("cnn", (16, 24), filters=(4, 6))
    assert encoder.output.shape == (None, 4, 6, 6)
    assert encoder.trainable
    pixels = images(2, (16, 24))
    # 0-255 in: the encoder's own Rescaling, not the caller, scales them.
    rescaled = keras.Sequential(encoder.layers[2:])(pixels / 255.0)
    np.testing.assert_allclose(encoder(pixels), rescaled, atol=1e-5)


def test_registry_is_the_schema_choices():
    import dataclasses

    from seqkeras.pipeline.config.schema import ImageEncoderConfig

    [kind] = [f for f in dataclasses.fields(ImageEncoderConfig) if f.name == "kind"]
    assert kind.metadata["choices"] == IMAGE_ENCODERS == ("cnn", *APPLICATIONS)


def test_captioner_on_images_trains_and_generates_from_pixels():
    encoder = build_image_encoder("cnn", (16, 16), filters=(4, 8))
    model = build_one_to_many(VOCAB, (16, 16, 3), image_encoder=encoder, embedding_dim=4, units=8)
    assert isinstance(model, OneToManyModel) and model.image_encoder is encoder
    assert model.grid_shape == (4, 4, 8)
    inputs = {"features": images(8), "target_ids": caption_ids(8)}
    targets = np.roll(inputs["target_ids"], -1, axis=1)
    compile_with_clipnorm(model, sparse_loss(True), 0.02)
    before = [w.numpy().copy() for w in encoder.weights]
    history = model.fit(inputs, targets, epochs=6, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # The encoder is part of the model: it trained with the decoder.
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(before, encoder.weights))
    encoder_model, _ = model.inference_models()
    memory, mask, *_ = encoder_model.predict(inputs["features"][:2], verbose=0)
    assert memory.shape == (2, 16, 8) and mask.all()


def test_image_captioner_saves_and_loads(tmp_path):
    # In a fresh process too: tests/pipeline/test_caption_files.py loads the
    # model.keras that `seqkeras run` saved.
    encoder = build_image_encoder("cnn", (8, 8), filters=(4,))
    model = build_one_to_many(VOCAB, (8, 8, 3), image_encoder=encoder, embedding_dim=4, units=8)
    assert_model_config_round_trip(model)
    assert model.get_config()["image_encoder"]["config"]["name"] == "image_encoder"
    model.save(tmp_path / "captioner.keras")
    loaded = keras.saving.load_model(tmp_path / "captioner.keras")
    assert isinstance(loaded, OneToManyModel) and loaded.image_encoder.name == "image_encoder"
    assert loaded.grid_shape == model.grid_shape == (4, 4, 4)
    source, token_ids = images(3, (8, 8)), caption_ids(3)
    expected = run_inference_models(model, source, token_ids)
    for got, want in zip(run_inference_models(loaded, source, token_ids), expected):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_frozen_encoder_keeps_its_weights():
    encoder = build_image_encoder("cnn", (8, 8), filters=(4,), trainable=False)
    model = build_one_to_many(VOCAB, (8, 8, 3), image_encoder=encoder, embedding_dim=4, units=8)
    assert not any(w.path.startswith("image_encoder") for w in model.trainable_weights)
    assert len(encoder.weights) == 2


@pytest.mark.slow
def test_mobilenet_encoder_builds_and_trains_a_step():
    encoder = build_image_encoder("mobilenet_v3_small", (64, 32), weights=None)
    assert encoder.trainable and encoder.output.shape[1:3] == (2, 1)
    model = build_one_to_many(VOCAB, (64, 32, 3), image_encoder=encoder, embedding_dim=4, units=8)
    inputs = {"features": images(2, (64, 32)), "target_ids": caption_ids(2)}
    # Eagerly: tracing the backbone's training step takes half a minute.
    model.compile(keras.optimizers.Adam(0.01), sparse_loss(True), run_eagerly=True)
    before = [w.numpy().copy() for w in encoder.trainable_weights]
    loss = model.train_on_batch(inputs, np.roll(inputs["target_ids"], -1, axis=1))
    assert np.isfinite(loss)
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(before, encoder.trainable_weights))


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"kind": "resnet9"}, r"`kind`: expected one of cnn, mobilenet_v3_small.*'resnet9'"),
        ({"image_size": (32,)}, r"`image_size`: expected \(height, width\), got \(32,\)"),
        ({"image_size": (0, 8)}, r"`image_size`: expected a positive integer, got 0"),
        ({"filters": ()}, r"`filters`: expected a non-empty list"),
        ({"weights": "imagenet"}, r"`weights`: expected None or a weights file.*'imagenet'"),
    ],
)
def test_invalid_encoder_arguments(arguments, message):
    arguments = {"kind": "cnn", "image_size": (8, 8), **arguments}
    with pytest.raises(ValueError, match=message):
        build_image_encoder(arguments.pop("kind"), arguments.pop("image_size"), **arguments)


def test_invalid_image_encoder_of_the_captioner():
    with pytest.raises(ValueError, match=r"`image_encoder`: expected a Keras model.*'cnn'"):
        build_one_to_many(VOCAB, (8, 8, 3), image_encoder="cnn")
    encoder = build_image_encoder("cnn", (8, 8), filters=(4,))
    with pytest.raises(ValueError, match=r"`feature_shape`: expected the images' \(height, w"):
        build_one_to_many(VOCAB, (8, 8, 4), image_encoder=encoder)
    flat = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D()])
    with pytest.raises(ValueError, match=r"`image_encoder`: expected a model whose output is"):
        build_one_to_many(VOCAB, (8, 8, 3), image_encoder=flat)
