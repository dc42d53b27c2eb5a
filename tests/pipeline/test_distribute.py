"""train.distribute and train.mixed_precision: schema, checks, chief, policies."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.errors import ConfigError
from seqkeras.models import build_seq2seq
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.config.schema import json_schema
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.training import distribute
from seqkeras.pipeline.training.fit_setup import build_optimizer


def load(values):
    return from_dict(PipelineConfig, values, source="p.yaml")


def check(values):
    config = load(values)
    get_task(config.task).check(config)
    distribute.check_distribute(config)
    return config


def test_defaults_are_one_device_in_float32():
    config = load({})
    assert config.train.distribute.strategy == "none"
    assert config.train.distribute.devices == []
    assert config.train.mixed_precision == "float32"


def test_devices_are_a_list_of_strings():
    config = load(
        {"train": {"distribute": {"strategy": "mirrored", "devices": ["/gpu:0", "/gpu:1"]}}}
    )
    assert config.train.distribute.devices == ["/gpu:0", "/gpu:1"]


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"train": {"distribute": {"strategy": "mirorred"}}},
            r"train\.distribute\.strategy: got 'mirorred'; expected one of: none, mirrored, multi_worker, tpu \(did you mean 'mirrored'\?\)",
        ),
        (
            {"train": {"distribute": {"devices": "/gpu:0"}}},
            r"train\.distribute\.devices: got '/gpu:0'; expected a list of strings\.",
        ),
        (
            {"train": {"distribute": {"devices": [0, 1]}}},
            r"train\.distribute\.devices: got \[0, 1\]; expected a list of strings\.",
        ),
        (
            {"train": {"mixed_precision": "float16"}},
            r"train\.mixed_precision: got 'float16'; expected one of: float32, mixed_float16, mixed_bfloat16",
        ),
        (
            {"train": {"distribute": {"stratgy": "none"}}},
            r"train\.distribute\.stratgy: unknown key 'stratgy'; did you mean 'strategy'\?",
        ),
    ],
)
def test_schema_errors_name_the_key(values, message):
    with pytest.raises(ConfigError, match=message):
        load(values)


def test_json_schema_describes_the_new_keys():
    train = json_schema()["properties"]["train"]["properties"]
    assert train["distribute"]["properties"]["strategy"]["enum"] == [
        "none",
        "mirrored",
        "multi_worker",
        "tpu",
    ]
    assert train["distribute"]["properties"]["devices"] == {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": train["distribute"]["properties"]["devices"]["description"],
    }
    assert train["mixed_precision"]["enum"] == ["float32", "mixed_float16", "mixed_bfloat16"]


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {
                "task": "language_model",
                "data": {"dataset": "text"},
                "train": {"distribute": {"strategy": "mirrored"}},
            },
            r"^train\.distribute\.strategy: got 'mirrored'; the language_model task trains "
            r"with stateful truncated backpropagation \(train\.tbptt\.window\), which "
            r"tf\.distribute does not support \(expected none\)\.$",
        ),
        (
            {"train": {"distribute": {"strategy": "multi_worker", "devices": ["/cpu:0"]}}},
            r"^train\.distribute\.devices: got \['/cpu:0'\]; devices are listed for "
            r"train\.distribute\.strategy 'mirrored' only, not 'multi_worker'",
        ),
        (
            {"train": {"distribute": {"devices": ["/cpu:0"]}}},
            r"^train\.distribute\.devices: .* not 'none'",
        ),
        (
            {"train": {"distribute": {"strategy": "tpu"}, "mixed_precision": "mixed_float16"}},
            r"^train\.mixed_precision: got 'mixed_float16'; with train\.distribute\.strategy "
            r"'tpu' use mixed_bfloat16",
        ),
        (
            {
                "data": {"batch_size": 33},
                "train": {"distribute": {"strategy": "mirrored", "devices": ["/cpu:0", "/cpu:1"]}},
            },
            r"^data\.batch_size: got 33; the global batch is divided across the 2 devices of "
            r"train\.distribute\.devices, so it must be a multiple of 2\.$",
        ),
    ],
)
def test_combinations_that_cannot_run_are_rejected(values, message):
    with pytest.raises(ConfigError, match=message):
        check(values)


def test_mirrored_with_unknown_device_names_the_visible_ones():
    config = load({"train": {"distribute": {"strategy": "mirrored", "devices": ["/gpu:7"]}}})
    with pytest.raises(
        ConfigError, match=r"train\.distribute\.devices: got '/gpu:7'; visible devices: .*/cpu:0"
    ):
        distribute.create_strategy(config.train.distribute)


def test_bad_tf_config_names_the_variable(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", "{not json")
    config = load({"train": {"distribute": {"strategy": "multi_worker"}}})
    with pytest.raises(
        ConfigError, match=r"^TF_CONFIG: expected JSON like .* could not read '\{not json'"
    ):
        distribute.create_strategy(config.train.distribute)


def test_no_strategy_for_none():
    assert distribute.create_strategy(load({}).train.distribute) is None
    assert distribute.is_chief(None) is True


def resolver_for(monkeypatch, cluster, task_type, index):
    monkeypatch.setenv(
        "TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})
    )
    return tf.distribute.cluster_resolver.TFConfigClusterResolver()


@pytest.mark.parametrize(
    "cluster, task_type, index, chief",
    [
        ({"worker": ["a:1", "b:1"]}, "worker", 0, True),
        ({"worker": ["a:1", "b:1"]}, "worker", 1, False),
        ({"chief": ["c:1"], "worker": ["a:1"]}, "chief", 0, True),
        ({"chief": ["c:1"], "worker": ["a:1"]}, "worker", 0, False),
    ],
)
def test_chief_is_the_chief_task_or_worker_0(monkeypatch, cluster, task_type, index, chief):
    assert distribute.is_chief_task(resolver_for(monkeypatch, cluster, task_type, index)) is chief


def test_shard_by_data_sets_the_auto_shard_policy():
    dataset = distribute.shard_by_data(tf.data.Dataset.range(4).batch(2))
    policy = dataset.options().experimental_distribute.auto_shard_policy
    assert policy == tf.data.experimental.AutoShardPolicy.DATA


def test_dtype_policy_is_restored_after_the_block():
    with distribute.dtype_policy("mixed_bfloat16"):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"


@pytest.mark.parametrize(
    "policy, compute", [("mixed_float16", "float16"), ("mixed_bfloat16", "bfloat16")]
)
def test_mixed_models_compute_in_half_keep_float32_variables_and_logits(policy, compute):
    with distribute.dtype_policy(policy):
        model = build_seq2seq(12, 9, units=8, embedding_dim=4, bidirectional_encoder=True)
    assert model.get_layer("decoder").compute_dtype == compute
    assert {v.dtype for v in model.weights} == {"float32"}
    source = np.array([[3, 4, 5, 0, 0], [6, 7, 0, 0, 0]], "int32")  # masked memory
    target = np.array([[1, 2, 3], [1, 4, 0]], "int32")
    logits = model({"source_ids": source, "target_ids": target})
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(logits)))


def test_loss_scale_optimizer_under_mixed_float16_only():
    config = load({"train": {"mixed_precision": "mixed_float16"}})
    assert isinstance(build_optimizer(config.train, 10), keras.optimizers.LossScaleOptimizer)
    config = load({"train": {"mixed_precision": "mixed_bfloat16"}})
    assert not isinstance(build_optimizer(config.train, 10), keras.optimizers.LossScaleOptimizer)


def test_clipping_configuration_is_unchanged_with_replicas():
    config = load({})
    one, two = build_optimizer(config.train, 10), build_optimizer(config.train, 10, replicas=2)
    assert isinstance(two, type(one)) and type(two) is not type(one)
    assert one.clipnorm == two.clipnorm == 1.0
