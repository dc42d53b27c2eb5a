"""`seqkeras evaluate / export / predict RUN_DIR` on a finished (smoke) run."""

import json
import re
import shutil

import pytest

from tests.pipeline.test_run import finished_runs
from tests.pipeline.test_run import seqkeras


@pytest.fixture(scope="module")
def dates_run(tmp_path_factory, smoke_runs, built):
    """A copy of the session's dates smoke run: `export` here writes into it."""
    shared = smoke_runs("dates")
    assert f"seqkeras predict {shared.run_dir.parent} " in shared.stdout  # runs/dates: its latest
    output = tmp_path_factory.mktemp("runs")
    shutil.copytree(shared.run_dir.parent, output / "dates", symlinks=True)
    [run_dir] = finished_runs(output, "dates")
    return run_dir, built.data_dir


@pytest.mark.slow
def test_predict_answers_every_input_with_both_strategies(dates_run):
    run_dir, data_dir = dates_run
    inputs = ["21 novembre 2026", "", "\u2603\u2603 unseen \u00df", "9" * 300]
    for strategy in ("greedy", "beam"):
        result = seqkeras(
            "predict", str(run_dir), *inputs, "--strategy", strategy, data_dir=data_dir
        )
        assert result.returncode == 0, result.stderr[-3000:]
        lines = result.stdout.splitlines()
        assert len(lines) == len(inputs)
        assert [line.split("\t")[0] for line in lines] == inputs
        # Only what was used: no TensorFlow C++ line (a beam search on a CPU without
        # AVX-512 made oneDNN print an E0000 "supports DT_BOOL only" line here).
        [used] = result.stderr.splitlines()
        assert used.startswith(f"seqkeras predict: {strategy} (")


@pytest.mark.slow
def test_evaluate_and_export_again(dates_run):
    run_dir, data_dir = dates_run
    result = seqkeras("evaluate", "--json", str(run_dir), data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not re.search(r"^[IWEF]\d{4} ", result.stderr, re.M)  # TensorFlow C++ log lines
    metrics = json.loads(result.stdout)
    saved = json.loads((run_dir / "metrics.json").read_text())
    # The smoke run scored a couple of batches; evaluate scores the whole split.
    assert set(metrics) == set(saved)
    assert metrics["test_examples"] == 3000 > saved["test_examples"]
    assert 0.0 <= metrics["exact_match"] <= 1.0
    result = seqkeras("export", str(run_dir), data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (run_dir / "export" / "saved_model.pb").is_file()


def test_not_a_run_folder_exits_2(tmp_path):
    for command in (["evaluate", str(tmp_path)], ["predict", str(tmp_path), "x"]):
        result = seqkeras(*command, data_dir=tmp_path)
        assert result.returncode == 2
        assert f"{tmp_path}: not a run folder (no config.yaml)" in result.stderr
        assert "Traceback" not in result.stderr


def test_predict_on_a_damaged_export_exits_2_naming_it(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "export").mkdir(parents=True)
    (run_dir / "config.yaml").write_text("task: classify\n")
    (run_dir / "export" / "saved_model.pb").write_bytes(b"")  # a write cut short
    (run_dir / "export" / "seqkeras_export.json").write_text('{"kind": "classify"}')
    (tmp_path / "rows.csv").write_text("1,2\n")
    result = seqkeras("predict", str(run_dir), str(tmp_path / "rows.csv"), data_dir=tmp_path)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"{run_dir / 'export'}: the SavedModel cannot be loaded (" in result.stderr
    assert f"write it again with `seqkeras export {run_dir}`." in result.stderr


def test_an_evaluation_whose_headline_is_nan_is_an_error_not_a_result():
    from seqkeras.errors import TrainingDiverged
    from seqkeras.metrics.evaluation import Evaluation
    from seqkeras.pipeline.commands.runner import evaluate

    class NanTask:
        def evaluate(self, model, data, config, strategy):
            return Evaluation("mae", {"mae": float("nan"), "rmse": 1.0})

    with pytest.raises(TrainingDiverged, match=r"^evaluation gave mae = nan on the test split"):
        evaluate(NanTask(), None, None, None, None)

    class FineTask(NanTask):
        def evaluate(self, model, data, config, strategy):
            return Evaluation("mae", {"mae": 2.0})

    assert evaluate(FineTask(), None, None, None, None).headline_value == 2.0
