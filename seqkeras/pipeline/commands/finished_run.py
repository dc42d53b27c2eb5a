"""Working with a finished run folder: evaluate and export again."""

import pathlib
from typing import Tuple

from seqkeras.errors import ConfigError
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.loading import read_yaml_mapping
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.run_folders.folder_life import PARTIAL
from seqkeras.pipeline.run_folders.lock import RunLock
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.utils.staging_folders import remove_stale_staging


def open_run(run_dir) -> Tuple[pathlib.Path, PipelineConfig]:
    """The finished run folder and its resolved config.

    Raises:
        ConfigError: naming the folder or its `config.yaml` when the folder
            is missing, unfinished (`.partial`), or its config is missing,
            empty, not YAML or not a mapping of the config's keys.
    """
    run_dir = pathlib.Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(
            f"{run_dir}: no such folder; expected a run folder written by `seqkeras run`, "
            f"such as runs/<name>/<timestamp>."
        )
    if run_dir.name.endswith(PARTIAL):
        raise ConfigError(_unfinished(run_dir))
    remove_stale_staging(run_dir / "export")  # what a killed `seqkeras export` left
    config_path = run_dir / "config.yaml"
    if not config_path.is_file():
        raise ConfigError(
            f"{run_dir}: not a run folder (no config.yaml); expected a folder "
            f"written by `seqkeras run`, such as runs/<name>/<timestamp>."
        )
    expected = "expected the resolved config that `seqkeras run` wrote there"
    try:
        values = read_yaml_mapping(config_path)
    except ConfigError as error:
        raise ConfigError(f"{error} The run folder's config.yaml is damaged; {expected}.") from None
    if not values:
        raise ConfigError(f"{config_path}: the file is empty; {expected}.")
    return run_dir, from_dict(PipelineConfig, values, source=str(config_path))


def _unfinished(run_dir: pathlib.Path) -> str:
    """Why an unfinished run folder is refused, and how to finish it."""
    owner = RunLock(run_dir).owner()
    if owner is not None and owner.alive():
        state = f"it is still being written by {owner.describe()}; wait for that run to finish"
    else:
        state = (
            "to finish it, rerun the same `seqkeras run` command (same pipeline file, "
            "--set options and --output-dir): it resumes this folder from its last "
            "finished epoch"
        )
    return (
        f"{run_dir}: an unfinished run (its name ends in {PARTIAL}); {state}. Evaluate, "
        f"export and predict take the finished folder, named without {PARTIAL}."
    )


def load_run(run_dir):
    """(config, task, data, model) of a finished run, vocabularies as saved."""
    import keras

    from seqkeras.pipeline.tasks.vocabularies import load_vocabularies

    run_dir, config = open_run(run_dir)
    model_path = run_dir / "model.keras"
    if not model_path.is_file():
        raise ConfigError(f"{run_dir}: no model.keras; the run did not finish.")
    task = get_task(config.task)
    data: TaskData = task.prepare(config, smoke=False, vocabularies=load_vocabularies(run_dir))
    return config, task, data, keras.saving.load_model(model_path)


def evaluate_run(run_dir) -> Evaluation:
    from seqkeras.pipeline.commands.runner import evaluate

    config, task, data, model = load_run(run_dir)
    return evaluate(task, model, data, config, task.strategy(config))


def export_run(run_dir) -> pathlib.Path:
    config, task, data, model = load_run(run_dir)
    path = pathlib.Path(run_dir) / "export"
    task.export(model, data, config, path, task.strategy(config))
    return path
