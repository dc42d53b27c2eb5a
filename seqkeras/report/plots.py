"""Training curves and attention heat maps as PNG files (matplotlib)."""

import csv
import pathlib
from typing import Any, Dict, List

import matplotlib

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
