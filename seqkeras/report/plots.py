"""Training curves, attention heat maps and confusion matrices as PNG files."""

import csv
import pathlib
from typing import Any
from typing import Dict
from typing import List

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only: no screen on training machines

import matplotlib.pyplot as plt  # noqa: E402


def plot_training_curves(csv_path: pathlib.Path, plots_dir: pathlib.Path) -> None:
    """One panel per metric of Keras's CSV log, training and validation."""
    if not csv_path.is_file():
        return
    with open(csv_path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    names = [k for k in rows[0] if k != "epoch" and not k.startswith("val_")]
    names = [k for k in names if k != "learning_rate"]
    plots_dir.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3), squeeze=False)
    epochs = [int(r["epoch"]) + 1 for r in rows]
    for axis, name in zip(axes[0], names):
        axis.plot(epochs, [float(r[name]) for r in rows], label="train")
        if f"val_{name}" in rows[0]:
            axis.plot(epochs, [float(r[f"val_{name}"]) for r in rows], label="validation")
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.legend()
    figure.tight_layout()
    figure.savefig(plots_dir / "training_curves.png", dpi=100)
    plt.close(figure)


def plot_attention(examples: List[Dict[str, Any]], plots_dir: pathlib.Path) -> None:
    """Heat maps of alignments: one file per example.

    Each example has `source` and `target` token lists and `alignments`, an
    array of shape (len(target), len(source)).
    """
    if not examples:
        return
    plots_dir.mkdir(parents=True, exist_ok=True)
    for index, example in enumerate(examples):
        source, target = example["source"], example["target"]
        weights = example["alignments"][: len(target), : len(source)]
        figure, axis = plt.subplots(
            figsize=(max(3, 0.35 * len(source) + 1), max(2.5, 0.35 * len(target) + 1))
        )
        axis.imshow(weights, cmap="viridis", aspect="auto", vmin=0.0, vmax=1.0)
        axis.set_xticks(range(len(source)), source, rotation=90)
        axis.set_yticks(range(len(target)), target)
        axis.set_xlabel("source")
        axis.set_ylabel("output")
        figure.tight_layout()
        figure.savefig(plots_dir / f"attention_{index}.png", dpi=100)
        plt.close(figure)


def plot_confusion_matrix(matrix, plots_dir: pathlib.Path, labels=None) -> None:
    """`confusion_matrix.png`: counts by true class (rows) and prediction.

    Does nothing when `matrix` is `None` (tasks without classes).
    """
    if matrix is None:
        return
    counts = np.asarray(matrix)
    labels = [str(i) for i in range(len(counts))] if labels is None else list(labels)
    plots_dir.mkdir(parents=True, exist_ok=True)
    size = max(3.5, 0.45 * len(labels) + 1.5)
    figure, axis = plt.subplots(figsize=(size, size))
    axis.imshow(counts, cmap="Blues")
    darkest = counts.max() if counts.size else 0
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if darkest and count > darkest / 2 else "black"
        axis.text(column, row, str(count), ha="center", va="center", color=colour, fontsize=8)
    axis.set_xticks(range(len(labels)), labels)
    axis.set_yticks(range(len(labels)), labels)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    figure.tight_layout()
    figure.savefig(plots_dir / "confusion_matrix.png", dpi=100)
    plt.close(figure)
