"""Working with a finished run folder: evaluate and export again."""

import pathlib
from typing import Tuple

import yaml

from seqkeras.errors import ConfigError
from seqkeras.pipeline.schema import PipelineConfig
from seqkeras.pipeline.schema import from_dict
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.base import TaskData


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
        path.name.split(".")[1]: Vocabulary.load(path) for path in run_dir.glob("vocabulary.*.txt")
    }
    data: TaskData = task.prepare(config, smoke=False, vocabularies=saved)
    return config, task, data, keras.saving.load_model(model_path)


def evaluate_run(run_dir) -> dict:
    from seqkeras.pipeline.runner import evaluate

    config, task, data, model = load_run(run_dir)
    return evaluate(task, model, data, config, task.strategy(config)).metrics


def export_run(run_dir) -> pathlib.Path:
    config, task, data, model = load_run(run_dir)
    path = pathlib.Path(run_dir) / "export"
    task.export(model, data, config, path, task.strategy(config))
    return path
