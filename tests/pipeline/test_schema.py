import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.schema import PipelineConfig, from_dict, json_schema


def load(values):
    return from_dict(PipelineConfig, values, source="p.yaml")


def test_defaults_and_nested_values():
    config = load({"task": "seq2seq", "model": {"units": 8, "attention": {"normalize": True}},
                   "train": {"optimizer": {"learning_rate": 1}}})
    assert config.task == "seq2seq"
    assert config.model.units == 8 and config.model.attention.normalize is True
    assert config.train.optimizer.learning_rate == 1.0  # an int is a valid number
    assert config.train.optimizer.clipnorm == 1.0  # clipping on by default
    assert config.data.dataset == "digits_rows"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"modle": {}}, r"^p\.yaml: modle: unknown key 'modle'; did you mean 'model'\? Expected one of: name, task"),
        ({"train": {"optimizer": {"nme": "adam"}}}, r"train\.optimizer\.nme: unknown key 'nme'; did you mean 'name'"),
        ({"model": {"units": "64"}}, r"model\.units: got '64'; expected an integer\."),
        ({"model": {"units": 0}}, r"model\.units: got 0; expected a value >= 1\."),
        ({"model": {"dropout": 1.5}}, r"model\.dropout: got 1\.5; expected a value between 0\.0 and 0\.99\."),
        ({"model": {"bidirectional": "yes"}}, r"model\.bidirectional: got 'yes'; expected a boolean\."),
        ({"train": {"epochs": True}}, r"train\.epochs: got True; expected an integer\."),
        ({"train": {"optimizer": {"name": "adm"}}}, r"train\.optimizer\.name: got 'adm'; expected one of: adam, rmsprop, sgd \(did you mean 'adam'\?\)"),
        ({"task": "translate"}, r"task: got 'translate'; expected one of: classify, tag, seq2seq"),
        ({"data": [1, 2]}, r"p\.yaml: data: expected a mapping, got \[1, 2\]"),
    ],
)
def test_errors_name_the_key_path_value_and_expectation(values, message):
    with pytest.raises(ConfigError, match=message):
        load(values)


def test_json_schema_describes_types_choices_and_bounds():
    schema = json_schema()
    assert schema["additionalProperties"] is False
    model = schema["properties"]["model"]
    assert model["properties"]["cell"]["enum"] == ["lstm", "vanilla"]
    assert model["properties"]["units"] == {
        "type": "integer", "default": 64, "minimum": 1,
        "description": "Units per recurrent layer.",
    }
    assert model["properties"]["attention"]["properties"]["units"]["type"] == ["integer", "null"]
    assert schema["properties"]["include"]["type"] == "array"
