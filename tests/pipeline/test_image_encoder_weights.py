"""`model.image_encoder.weights` naming a local file: loaded before any run folder exists."""

import keras
import pytest

from seqkeras.errors import ConfigError
from seqkeras.models.image_encoder import build_image_encoder
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.image_encoder_weights import check_encoder_weights
from seqkeras.pipeline.config.schema import ImageEncoderConfig


def encoder_config(weights):
    return from_dict(ImageEncoderConfig, {"kind": "cnn", "weights": str(weights)}, source="test")


def test_the_encoder_s_own_weights_load(tmp_path):
    path = tmp_path / "cnn.weights.h5"
    build_image_encoder("cnn", (32, 32)).save_weights(path)
    check_encoder_weights(encoder_config(path), (32, 32))


def test_a_text_file_is_refused_naming_the_key_and_the_file(tmp_path):
    path = tmp_path / "notes.weights.h5"
    path.write_text("not weights")
    with pytest.raises(
        ConfigError,
        match=rf"^model\.image_encoder\.weights: '{path}' cannot be loaded into the cnn encoder",
    ):
        check_encoder_weights(encoder_config(path), (32, 32))


def test_another_model_s_weights_are_refused_naming_the_key_and_the_file(tmp_path):
    path = tmp_path / "dense.weights.h5"
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    other.save_weights(path)
    with pytest.raises(
        ConfigError, match=r"^model\.image_encoder\.weights: '.*dense\.weights\.h5'"
    ):
        check_encoder_weights(encoder_config(path), (32, 32))


def test_a_directory_is_named_as_one(tmp_path):
    with pytest.raises(ConfigError, match=r"^model\.image_encoder\.weights: '.*' is a directory"):
        check_encoder_weights(encoder_config(tmp_path), (32, 32))
