"""`evaluate`, `export` and `predict` on a damaged or unfinished run folder (issue #14).

A corrupt, empty, non-mapping or missing `config.yaml` stops each command with
exit code 2 and a message naming the file and what was expected; a `.partial`
folder is refused with how to finish it. Nothing is written into the folder.
(The refusal of a real `.partial` left by an interrupted run is checked in
`tests/pipeline/test_interrupted_run.py`.)
"""

import os

import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.commands.finished_run import evaluate_run
from seqkeras.pipeline.commands.finished_run import export_run
from seqkeras.pipeline.commands.prediction import predict_run
from seqkeras.pipeline.run_folders.lock import RunLock
from tests.helpers import run_seqkeras

EXPECTED = "expected the resolved config that `seqkeras run` wrote there."
DAMAGE = {
    "bad_yaml": (
        "task: [classify\nseed: 0\n",
        r"config.yaml, line 2, column 5: invalid YAML: .*The run folder's config.yaml is "
        r"damaged; " + EXPECTED,
    ),
    "not_a_mapping": (
        "- classify\n- seq2seq\n",
        r"config.yaml: expected a mapping of keys at the top level, got list. The run "
        r"folder's config.yaml is damaged; " + EXPECTED,
    ),
    "empty": ("", r"config.yaml: the file is empty; " + EXPECTED),
    "only_a_comment": ("# nothing here\n", r"config.yaml: the file is empty; " + EXPECTED),
    "missing": (None, r": not a run folder \(no config.yaml\); expected a folder written by"),
}
COMMANDS = {
    "evaluate": evaluate_run,
    "export": export_run,
    "predict": lambda run_dir: predict_run(run_dir, ["some input"]),
}


def damaged_run(tmp_path, config_text):
    run_dir = tmp_path / "runs" / "reviews" / "20260101-120000-000000"
    run_dir.mkdir(parents=True)
    if config_text is not None:
        (run_dir / "config.yaml").write_text(config_text)
    return run_dir


def listing(run_dir):
    return sorted((p.relative_to(run_dir), p.stat().st_size) for p in run_dir.rglob("*"))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_config_is_refused_naming_the_file(damage, command, tmp_path):
    text, message = DAMAGE[damage]
    run_dir = damaged_run(tmp_path, text)
    before = listing(run_dir)
    with pytest.raises(ConfigError, match=message) as error:
        COMMANDS[command](run_dir)
    assert str(error.value).startswith(str(run_dir))
    assert listing(run_dir) == before


def test_the_command_exits_2_with_one_line_and_writes_nothing(tmp_path):
    # One command through the real CLI (each costs a TensorFlow start); the
    # others reach the same `open_run` and `ConfigError` -> exit 2.
    run_dir = damaged_run(tmp_path, DAMAGE["bad_yaml"][0])
    before = listing(run_dir)
    result = run_seqkeras("export", str(run_dir), cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    [line] = [line for line in result.stderr.splitlines() if "error:" in line]
    assert line.startswith(f"seqkeras export: error: {run_dir}/config.yaml, line 2, column 5:")
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert listing(run_dir) == before


def test_no_such_folder_is_named():
    with pytest.raises(ConfigError, match=r"^nowhere/run: no such folder; expected a run folder"):
        evaluate_run("nowhere/run")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unfinished_folder_says_how_to_finish_it(command, tmp_path):
    run_dir = tmp_path / "runs" / "reviews" / "20260101-120000-000000.partial"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("task: classify\n")
    with pytest.raises(ConfigError) as error:
        COMMANDS[command](run_dir)
    assert str(error.value) == (
        f"{run_dir}: an unfinished run (its name ends in .partial); to finish it, rerun the "
        f"same `seqkeras run` command (same pipeline file, --set options and --output-dir): it "
        f"resumes this folder from its last finished epoch. Evaluate, export and predict take "
        f"the finished folder, named without .partial."
    )

    lock = RunLock.create(run_dir)  # a live run (this process) writes the folder
    try:
        with pytest.raises(ConfigError) as error:
            COMMANDS[command](run_dir)
    finally:
        lock.release()
    assert f"it is still being written by process {os.getpid()} on " in str(error.value)
    assert "wait for that run to finish" in str(error.value)
