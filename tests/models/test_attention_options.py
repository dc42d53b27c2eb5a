"""`AttentionOptions`: one value for the attention mechanism, the keyword arguments kept."""

import json
import pathlib
import zipfile

import keras
import numpy as np
import pytest

import seqkeras
from seqkeras.models import AttentionOptions
from seqkeras.models import OneToManyModel
from seqkeras.models import Seq2SeqModel
from seqkeras.models import build_one_to_many
from seqkeras.models import build_seq2seq

LANDED_MODEL = (
    pathlib.Path(__file__).resolve().parents[1]
    / "fixtures"
    / "landed_7663025"
    / "dates_tiny"
    / "model.keras"
)
LUONG = AttentionOptions(
    "luong", score="general", scale=True, layer_units=6, layer_activation="linear"
)
LUONG_KEYWORDS = {
    "attention": "luong",
    "attention_score": "general",
    "scale_attention": True,
    "attention_layer_units": 6,
    "attention_layer_activation": "linear",
}


def test_options_and_keyword_arguments_build_the_same_model():
    by_options = build_seq2seq(9, 11, embedding_dim=4, units=8, attention=LUONG)
    by_keywords = build_seq2seq(9, 11, embedding_dim=4, units=8, **LUONG_KEYWORDS)
    assert by_options.attention_options == by_keywords.attention_options == LUONG
    assert by_options.get_config() == by_keywords.get_config()
    by_keywords.set_weights(by_options.get_weights())
    inputs = {
        "source_ids": np.array([[3, 4, 5, 0]], "int32"),
        "target_ids": np.array([[1, 6, 7]], "int32"),
    }
    np.testing.assert_array_equal(by_options(inputs), by_keywords(inputs))


def test_get_config_keeps_the_keyword_arguments_and_from_config_rebuilds_the_options():
    model = build_one_to_many(7, (2, 2, 3), units=4, embedding_dim=4, attention=LUONG)
    config = model.get_config()
    assert {k: config[k] for k in LUONG_KEYWORDS} == LUONG_KEYWORDS
    assert "attention_options" not in config
    clone = OneToManyModel.from_config(config)
    assert clone.attention_options == LUONG
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]


def test_a_model_saved_before_attention_options_loads_with_its_options_and_config():
    with zipfile.ZipFile(LANDED_MODEL) as archive:
        saved = json.loads(archive.read("config.json"))["config"]
    model = keras.saving.load_model(LANDED_MODEL, compile=False)
    assert isinstance(model, Seq2SeqModel)
    assert model.attention_options == AttentionOptions("bahdanau")
    written = model.get_config()
    assert {k: written[k] for k in saved if k != "layers"} == {
        k: v for k, v in saved.items() if k != "layers"
    }


def test_a_keyword_argument_beside_options_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"`attention_units`: given beside `attention=Attention"):
        build_seq2seq(9, 11, units=8, attention=LUONG, attention_units=5)
    with pytest.raises(ValueError, match=r"\['dropout'\]: not attention options"):
        AttentionOptions.of("luong", dropout=0.1)


def test_options_are_checked_under_the_keyword_argument_names():
    with pytest.raises(ValueError, match=r"`attention_score`: expected None with Bahdanau"):
        build_seq2seq(9, 11, units=8, attention=AttentionOptions(score="dot"))
    with pytest.raises(ValueError, match=r"`attention`: expected one of"):
        build_seq2seq(9, 11, units=8, attention=AttentionOptions("cosine"))


def test_pooling_takes_options_too():
    model = seqkeras.models.build_many_to_one(
        3, input_dim=2, units=4, pooling="attention", attention=AttentionOptions("luong")
    )
    assert model.get_layer("attention_pooling").__class__.__name__ == "LuongAttention"
