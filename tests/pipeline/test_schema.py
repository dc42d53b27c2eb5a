import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.config.schema import json_schema


def load(values):
    return from_dict(PipelineConfig, values, source="p.yaml")


def test_defaults_and_nested_values():
    config = load(
        {
            "task": "seq2seq",
            "model": {"units": 8, "attention": {"normalize": True}},
            "train": {"optimizer": {"learning_rate": 1}},
        }
    )
    assert config.task == "seq2seq"
    assert config.model.units == 8 and config.model.attention.normalize is True
    assert config.train.optimizer.learning_rate == 1.0  # an int is a valid number
    assert config.train.optimizer.clipnorm == 1.0  # clipping on by default
    assert config.data.dataset == "digits_rows"


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"modle": {}},
            r"^p\.yaml: modle: unknown key 'modle'; did you mean 'model'\? Expected one of: name, task",
        ),
        (
            {"train": {"optimizer": {"nme": "adam"}}},
            r"train\.optimizer\.nme: unknown key 'nme'; did you mean 'name'",
        ),
        ({"model": {"units": "64"}}, r"model\.units: got '64'; expected an integer\."),
        ({"model": {"units": 0}}, r"model\.units: got 0; expected a value >= 1\."),
        (
            {"model": {"dropout": 1.5}},
            r"model\.dropout: got 1\.5; expected a value between 0\.0 and 0\.99\.",
        ),
        (
            {"model": {"bidirectional": "yes"}},
            r"model\.bidirectional: got 'yes'; expected a boolean\.",
        ),
        ({"train": {"epochs": True}}, r"train\.epochs: got True; expected an integer\."),
        (
            {"train": {"optimizer": {"name": "adm"}}},
            r"train\.optimizer\.name: got 'adm'; expected one of: adam, rmsprop, sgd \(did you mean 'adam'\?\)",
        ),
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
    assert model["properties"]["cell"]["enum"] == ["lstm", "vanilla", "gru"]
    assert model["properties"]["units"] == {
        "type": "integer",
        "default": 64,
        "minimum": 1,
        "maximum": 2**31 - 1,  # every integer fits TensorFlow's int32 counters
        "description": "Units per recurrent layer.",
    }
    assert schema["properties"]["name"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
    assert model["properties"]["attention"]["properties"]["units"]["type"] == ["integer", "null"]
    assert schema["properties"]["include"]["type"] == "array"


def test_choices_come_from_the_registries():
    from seqkeras.decoding import STRATEGIES
    from seqkeras.layers import IMPLEMENTATIONS
    from seqkeras.models.recurrent_stack import CELLS
    from seqkeras.pipeline.config.evaluate_strategy import FROM_EVALUATE
    from seqkeras.pipeline.tasks import TASKS
    from seqkeras.pipeline.tasks import get_task
    from seqkeras.pipeline.training.optimizers import OPTIMIZERS

    schema = json_schema()["properties"]
    assert schema["task"]["enum"] == list(TASKS)
    assert schema["model"]["properties"]["cell"]["enum"] == list(CELLS)
    assert schema["model"]["properties"]["implementation"]["enum"] == list(IMPLEMENTATIONS)
    assert schema["evaluate"]["properties"]["strategy"]["enum"] == [*STRATEGIES, None]
    assert set(FROM_EVALUATE) == set(STRATEGIES)
    optimizer = schema["train"]["properties"]["optimizer"]["properties"]["name"]
    assert optimizer["enum"] == list(OPTIMIZERS)
    for name in TASKS:
        assert type(get_task(name)).__module__ == f"seqkeras.pipeline.tasks.{TASKS[name][0]}"


@pytest.mark.parametrize(
    "evaluate, task, expected",
    [
        ({}, "seq2seq", "Greedy(max_length=40)"),
        (
            {"beam_width": 5},
            "seq2seq",
            "BeamSearch(length_penalty=0.0, max_length=40, n_best=1, width=5)",
        ),
        (
            {"strategy": "beam", "length_penalty": 0.6},
            "caption",
            "BeamSearch(length_penalty=0.6, max_length=40, n_best=1, width=1)",
        ),
        ({}, "language_model", "Sampling(max_length=40, seed=3, temperature=1.0, top_k=None)"),
        (
            {"strategy": "sample", "temperature": 0.5, "top_k": 4, "max_length": 9},
            "seq2seq",
            "Sampling(max_length=9, seed=3, temperature=0.5, top_k=4)",
        ),
        ({"strategy": "greedy"}, "language_model", "Greedy(max_length=40)"),
        ({"beam_width": 5}, "classify", "None"),
    ],
)
def test_the_decoding_strategy_is_built_once_from_evaluate(evaluate, task, expected):
    from seqkeras.pipeline.tasks import get_task

    config = load({"task": task, "seed": 3, "evaluate": evaluate})
    assert repr(get_task(task).strategy(config)) == expected


def test_a_beam_width_with_another_strategy_is_refused():
    from seqkeras.pipeline.tasks import get_task

    config = load(
        {
            "task": "seq2seq",
            "data": {"dataset": "dates"},
            "evaluate": {"strategy": "sample", "beam_width": 4},
        }
    )
    with pytest.raises(
        ConfigError, match=r"^evaluate\.beam_width: got 4 with evaluate\.strategy 'sample'"
    ):
        get_task("seq2seq").check(config)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_must_fit_the_random_generators(seed):
    with pytest.raises(
        ConfigError, match=rf"seed: got {seed}; expected a value between 0 and 4294967295"
    ):
        load({"seed": seed})
