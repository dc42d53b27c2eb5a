"""`model.attention` in the YAML: the schema's choices, the checks across keys,
and the builder arguments the tasks make of it."""

import pytest

from seqkeras.errors import ConfigError
from seqkeras.layers import LuongAttention
from seqkeras.models import build_many_to_one
from seqkeras.models import build_seq2seq
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.base import attention_options
from seqkeras.pipeline.tasks.base import pooling_options


def checked(task="seq2seq", dataset="dates", bidirectional=True, **attention):
    """The config, after the checks `seqkeras run` makes before reading data."""
    config = from_dict(
        PipelineConfig,
        {
            "task": task,
            "data": {"dataset": dataset},
            "model": {"units": 8, "bidirectional": bidirectional, "attention": attention},
        },
        source="p.yaml",
    )
    get_task(task).check(config)
    return config


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"kind": "transformer"},
            r"model\.attention\.kind: got 'transformer'; expected one of: bahdanau, luong\.",
        ),
        (
            {"kind": "luong", "score": "bilinear"},
            r"model\.attention\.score: got 'bilinear'; expected one of: dot, general, concat\.",
        ),
        (
            {"layer_activation": "relu"},
            r"model\.attention\.layer_activation: got 'relu'; expected one of: tanh, linear\.",
        ),
    ],
)
def test_schema_lists_the_registered_choices(values, message):
    with pytest.raises(ConfigError, match=message):
        checked(**values)


@pytest.mark.parametrize(
    "options, message",
    [
        (
            {"score": "dot"},
            "model.attention.score: got 'dot'; it is an option of luong attention, and "
            "model.attention.kind is 'bahdanau'. Set kind: luong, or remove the key.",
        ),
        (
            {"scale": True},
            "model.attention.scale: got True; it is an option of luong attention, and "
            "model.attention.kind is 'bahdanau'. Set kind: luong, or remove the key.",
        ),
        (
            {"kind": "luong", "normalize": True},
            "model.attention.normalize: got True; it is an option of bahdanau attention, "
            "and model.attention.kind is 'luong'. Set kind: bahdanau, or remove the key.",
        ),
        (
            {"kind": "luong", "units": 16},
            "model.attention.units: got 16; luong attention's general score is a dot "
            "product with the query, so its size is the query's (model.units). Remove the "
            "key, or set model.attention.score to concat.",
        ),
        (
            {"layer_activation": "linear"},
            "model.attention.layer_activation: got 'linear'; it is the activation of the "
            "attention layer, which model.attention.layer_units adds (null here). Set "
            "layer_units, or remove the key.",
        ),
        (
            {"kind": "luong", "score": "dot"},
            "model.attention.score: got 'dot'; the dot score needs the decoder's outputs "
            "(model.units: 8) and the memory it attends over of one size, and the memory "
            "has 16 features (the encoder's outputs, model.units per direction, "
            "model.bidirectional: true). Use general or concat, which learn a projection "
            "between them.",
        ),
    ],
)
def test_options_of_the_other_kind_stop_before_any_work(options, message):
    with pytest.raises(ConfigError) as error:
        checked(**options)
    assert str(error.value) == message


def test_combinations_that_fit_pass():
    checked(kind="luong", score="dot", bidirectional=False)
    checked(kind="luong", score="concat", units=16, scale=True)
    checked(layer_units=16, layer_activation="linear")
    # Pooling attends from the last state over the outputs: both have both
    # directions, so the dot score fits a bidirectional classifier.
    checked("classify", "digits_rows", kind="luong", score="dot")


def test_seq2seq_builds_what_the_yaml_asks_for():
    config = checked(kind="luong", score="concat", units=6, scale=True, layer_units=10)
    config.model.attention.layer_activation = "linear"
    model = build_seq2seq(7, 7, **attention_options(config.model))
    decoder = model.get_layer("decoder")
    assert isinstance(decoder.attention, LuongAttention)
    assert (decoder.attention.score, decoder.attention.units, decoder.attention.scale) == (
        "concat",
        6,
        True,
    )
    assert (decoder.attention_layer_units, decoder.attention_layer_activation) == (10, "linear")


def test_attention_pooling_builds_what_the_yaml_asks_for():
    config = checked("classify", "digits_rows", kind="luong", score="general", scale=True)
    model = build_many_to_one(3, input_dim=4, units=8, **pooling_options(config.model))
    # model.attention applies to pooling: "attention" only.
    assert "attention_pooling" not in [layer.name for layer in model.layers]
    config.model.pooling = "attention"
    model = build_many_to_one(3, input_dim=4, units=8, **pooling_options(config.model))
    attention = model.get_layer("attention_pooling")
    assert isinstance(attention, LuongAttention)
    assert (attention.score, attention.scale) == ("general", True)
