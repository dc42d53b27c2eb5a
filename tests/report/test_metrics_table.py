"""`seqkeras evaluate`'s short table: headline first, baselines beside the model."""

from seqkeras.report.metrics_table import format_metrics_table


def test_the_headline_comes_first_with_its_baselines_and_nested_figures_are_left_out():
    metrics = {
        "headline": "accuracy",
        "macro_f1": 0.5,
        "accuracy": 0.98333,
        "test_examples": 180,
        "per_class": {"0": {"f1": 1.0}},
        "confusion_matrix": [[1, 0], [0, 1]],
        "baselines": {"majority": {"accuracy": 0.1, "macro_f1": 0.02}},
    }
    lines = format_metrics_table(metrics).splitlines()
    assert lines[0].split() == ["metric", "model", "majority"]
    assert lines[1].split() == ["accuracy", "*", "0.9833", "0.1000"]
    assert lines[2].split() == ["macro_f1", "0.5000", "0.0200"]
    assert lines[3].split() == ["test_examples", "180"]
    assert lines[-1] == "* headline metric (accuracy)"
    assert "per_class" not in "\n".join(lines) and len(lines) == 5


def test_baselines_recorded_beside_the_metrics_become_columns_and_decoding_is_named():
    metrics = {
        "headline": "mae",
        "mae": 14.0,
        "rmse": 20.0,
        "persistence_mae": 16.5,
        "persistence_rmse": 22.25,
        "decoding": {"name": "greedy", "config": {"max_length": 6}},
    }
    lines = format_metrics_table(metrics).splitlines()
    assert lines[0].split() == ["metric", "model", "persistence"]
    assert lines[1].split() == ["mae", "*", "14.0000", "16.5000"]
    assert lines[2].split() == ["rmse", "20.0000", "22.2500"]
    assert "decoding: greedy (max_length=6)" in lines
