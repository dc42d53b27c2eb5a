"""Working with a finished run folder: evaluate, export and predict again."""

import pathlib
from typing import List, Tuple

import yaml

from seqkeras.errors import ConfigError
from seqkeras.pipeline.schema import PipelineConfig
from seqkeras.pipeline.schema import from_dict
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.base import TaskData

TEXT_INPUT_KINDS = ("seq2seq", "language_model", "tag")


def open_run(run_dir) -> Tuple[pathlib.Path, PipelineConfig]:
    """The run folder and its resolved config; `ConfigError` if it is not one."""
    run_dir = pathlib.Path(run_dir)
    config_path = run_dir / "config.yaml"
    if not config_path.is_file():
        raise ConfigError(
            f"{run_dir}: not a run folder (no config.yaml); expected a folder "
            f"written by `seqkeras run`, such as runs/<name>/<timestamp>."
        )
    values = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    return run_dir, from_dict(PipelineConfig, values, source=str(config_path))


def load_run(run_dir):
    """(config, task, data, model) of a finished run, vocabularies as saved."""
    import keras

    from seqkeras.data import Vocabulary

    run_dir, config = open_run(run_dir)
    model_path = run_dir / "model.keras"
    if not model_path.is_file():
        raise ConfigError(f"{run_dir}: no model.keras; the run did not finish.")
    task = get_task(config.task)
    saved = {
        path.name.split(".")[1]: Vocabulary.load(path)
        for path in run_dir.glob("vocabulary.*.txt")
    }
    data: TaskData = task.prepare(config, smoke=False, vocabularies=saved)
    return config, task, data, keras.saving.load_model(model_path)


def evaluate_run(run_dir) -> dict:
    config, task, data, model = load_run(run_dir)
    return task.evaluate(model, data, config).metrics


def export_run(run_dir) -> pathlib.Path:
    config, task, data, model = load_run(run_dir)
    path = pathlib.Path(run_dir) / "export"
    task.export(model, data, config, path)
    return path


def predict_run(run_dir, inputs: List[str], strategy: str = "greedy") -> List[str]:
    """Outputs of the run's export (what is served is what is tested)."""
    import tensorflow as tf

    from seqkeras.export import read_export_info

    run_dir, _ = open_run(run_dir)
    export = run_dir / "export"
    if not (export / "saved_model.pb").is_file():
        raise ConfigError(f"{run_dir}: no export/; run `seqkeras export {run_dir}` first.")
    kind = read_export_info(str(export)).get("kind")
    if kind not in TEXT_INPUT_KINDS:
        raise ConfigError(
            f"{run_dir}: this {kind} export takes float tensors, not text; load "
            f"it with tf.saved_model.load({str(export)!r}) and call "
            f"signatures['serving_default']."
        )
    served = tf.saved_model.load(str(export))
    signature = {"greedy": "serving_default", "beam": "beam_search"}[strategy]
    if signature not in served.signatures:
        raise ConfigError(f"--strategy: {strategy!r} is not available for a {kind} export.")
    outputs = served.signatures[signature](inputs=tf.constant(inputs))["outputs"].numpy()
    return [_as_text(row) for row in outputs]


def _as_text(row) -> str:
    if getattr(row, "ndim", 0):  # a tagger: one tag per character
        return " ".join(t.decode("utf-8") for t in row if t)
    return row.decode("utf-8")
