"""Plots carry the run's name and headline, axis labels, colour bars and the best epoch."""

import json

import numpy as np
import pytest

from seqkeras.metrics.evaluation import AttentionExample
from seqkeras.report import plots


@pytest.fixture
def figures(monkeypatch):
    """The figures the plots close, kept for inspection."""
    kept, close = [], plots.plt.close
    monkeypatch.setattr(plots.plt, "close", kept.append)
    yield kept
    for figure in kept:
        close(figure)


@pytest.fixture
def run_dir(tmp_path):
    run = tmp_path / "runs" / "digits_rows" / "20260101-000000"
    (run / "logs").mkdir(parents=True)
    (run / "metrics.json").write_text(json.dumps({"headline": "accuracy", "accuracy": 0.98333}))
    return run


def test_training_curves_mark_the_epoch_with_the_lowest_validation_loss(run_dir, figures):
    rows = ["epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"]
    for epoch, val_loss in enumerate([1.0, 0.6, 0.4, 0.5, 0.7]):
        rows.append(f"{epoch},0.5,0.001,1.0,0.5,{val_loss}")
    (run_dir / "logs" / "training.csv").write_text("\n".join(rows))
    plots.plot_training_curves(run_dir / "logs" / "training.csv", run_dir / "plots")
    (figure,) = figures
    assert figure._suptitle.get_text() == "digits_rows: test accuracy = 0.9833"
    assert [axis.get_ylabel() for axis in figure.axes] == ["accuracy", "loss"]
    for axis in figure.axes:
        marks = [line for line in axis.get_lines() if line.get_label() == "best epoch 3"]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [3, 3]
    assert (run_dir / "plots" / "training_curves.png").is_file()


def test_confusion_matrix_and_attention_have_titles_labels_and_colour_bars(run_dir, figures):
    plots.plot_confusion_matrix([[3, 1], [0, 4]], run_dir / "plots", labels=["a", "b"])
    alignments = np.full((2, 3), 1 / 3)
    example = AttentionExample(source=["x", "y", "z"], target=["p", "q"], alignments=alignments)
    plots.plot_attention([example], run_dir / "plots")
    confusion, attention = figures
    for figure, colour_label in ((confusion, "test examples"), (attention, "attention weight")):
        axis, colour_bar = figure.axes  # the plot and its colour bar
        assert axis.get_title().startswith("digits_rows: test accuracy = 0.9833\n")
        assert axis.get_xlabel() and axis.get_ylabel()
        assert colour_bar.get_ylabel() == colour_label
    assert (run_dir / "plots" / "confusion_matrix.png").is_file()
    assert (run_dir / "plots" / "attention_0.png").is_file()


def test_the_title_is_the_run_name_alone_before_metrics_exist(tmp_path):
    assert plots.run_title(tmp_path / "runs" / "dates" / "20260101" / "plots") == "dates"
