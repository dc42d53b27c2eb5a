"""`export.formats`: the schema's choices, and what each task can export (exit 2 otherwise)."""

import pytest

from seqkeras.errors import ConfigError
from seqkeras.export.portable import PORTABLE_FORMATS
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import EXPORT_FORMATS
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.config.schema import json_schema
from seqkeras.pipeline.tasks import get_task
from tests.helpers import run_seqkeras


def load(values):
    return from_dict(PipelineConfig, values, source="p.yaml")


def test_formats_default_to_the_saved_model_and_list_the_portable_formats():
    assert load({}).export.formats == ["saved_model"]
    assert EXPORT_FORMATS == ("saved_model", *PORTABLE_FORMATS)
    formats = json_schema()["properties"]["export"]["properties"]["formats"]
    assert formats["items"]["enum"] == list(EXPORT_FORMATS)
    assert formats["default"] == ["saved_model"]


def test_an_unknown_format_names_the_key_and_the_choices():
    with pytest.raises(ConfigError) as error:
        load({"export": {"formats": ["saved_model", "tflite"]}})
    assert str(error.value) == (
        "p.yaml: export.formats: got 'tflite' in ['saved_model', 'tflite']; expected items "
        "among: saved_model, litert, onnx."
    )


@pytest.mark.parametrize(
    "task, dataset",
    [("classify", "digits_rows"), ("tag", "word_boundaries"), ("forecast", "sunspots")],
)
def test_one_pass_tasks_export_every_format(task, dataset):
    formats = list(EXPORT_FORMATS)
    config = load({"task": task, "data": {"dataset": dataset}, "export": {"formats": formats}})
    get_task(task).check(config)


@pytest.mark.parametrize("task", ["caption", "language_model"])
def test_generating_tasks_refuse_portable_formats_saying_what_works(task):
    config = load({"task": task, "export": {"formats": ["saved_model", "onnx", "litert"]}})
    with pytest.raises(ConfigError) as error:
        get_task(task).check(config)
    message = str(error.value)
    assert message.startswith(f"export.formats: task '{task}' cannot export onnx, litert: ")
    assert "decoding loop" in message and "classify, tag and forecast" in message
    assert message.endswith(f"What works for '{task}': saved_model.")


def test_seq2seq_exports_onnx_and_refuses_litert_saying_why():
    dates = {"task": "seq2seq", "data": {"dataset": "dates"}}
    get_task("seq2seq").check(load({**dates, "export": {"formats": ["saved_model", "onnx"]}}))
    config = load({**dates, "export": {"formats": ["saved_model", "litert"]}})
    with pytest.raises(ConfigError) as error:
        get_task("seq2seq").check(config)
    assert str(error.value) == (
        "export.formats: task 'seq2seq' cannot export litert: it writes its encoder and one "
        "decoder step as onnx, for the caller to run the decoding loop; litert is not offered "
        "(the encoder's loop converts to LiteRT's built-in ops for one example per call "
        "only). What works for 'seq2seq': saved_model, onnx."
    )


@pytest.mark.parametrize(
    "formats, message",
    [
        (["onnx"], "export.formats: got ['onnx']; expected 'saved_model' among them"),
        (["saved_model", "onnx", "onnx"], "export.formats: got [...]; onnx repeats."),
    ],
)
def test_the_saved_model_is_always_listed_and_nothing_repeats(formats, message):
    config = load({"task": "classify", "export": {"formats": formats}})
    with pytest.raises(ConfigError) as error:
        get_task("classify").check(config)
    expected = message.replace("[...]", repr(formats))
    assert str(error.value).startswith(expected)


def test_the_command_exits_2_before_any_work(tmp_path):
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("name: dates\ntask: seq2seq\ndata: {dataset: dates}\n")
    result = run_seqkeras(
        "run", str(pipeline), "--set", "export.formats=[saved_model, litert]", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "export.formats: task 'seq2seq' cannot export litert" in result.stderr
    assert "What works for 'seq2seq': saved_model, onnx." in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()
