"""Training curves, attention heat maps and confusion matrices as PNG files."""

import csv
import pathlib
from typing import Optional
from typing import Sequence

import matplotlib
import numpy as np

from seqkeras.metrics.evaluation import METRICS_FILE
from seqkeras.metrics.evaluation import AttentionExample
from seqkeras.metrics.evaluation import Evaluation

matplotlib.use("Agg")  # files only: no screen on training machines

import matplotlib.pyplot as plt  # noqa: E402


def run_title(plots_dir: pathlib.Path) -> str:
    """`<run name>: <headline> = <value>`, from the run folder `plots_dir` is in.

    The run folder is `runs/<name>/<timestamp>/`; the headline is read from its
    `metrics.json` when that is written already.
    """
    run_dir = pathlib.Path(plots_dir).parent
    title = run_dir.parent.name or run_dir.name
    try:
        evaluation = Evaluation.load(run_dir / METRICS_FILE)
    except (OSError, ValueError):
        return title
    if evaluation.headline_value is not None:
        title += f": test {evaluation.headline} = {evaluation.headline_value:.4f}"
    return title


def plot_training_curves(
    csv_path: pathlib.Path, plots_dir: pathlib.Path, title: Optional[str] = None
) -> None:
    """One panel per metric of Keras's CSV log, training and validation.

    A dashed line marks the epoch with the lowest `val_loss`, whose weights the
    run keeps (the best checkpoint). `title` defaults to `run_title(plots_dir)`.
    """
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
    best = None
    if rows[0].get("val_loss") not in (None, ""):
        losses = [float(r["val_loss"]) for r in rows]
        best = epochs[int(np.nanargmin(losses))] if not np.all(np.isnan(losses)) else None
    for axis, name in zip(axes[0], names):
        axis.plot(epochs, [float(r[name]) for r in rows], label="train", marker=".")
        if f"val_{name}" in rows[0]:
            values = [float(r[f"val_{name}"]) for r in rows]
            axis.plot(epochs, values, label="validation", marker=".")
        if best is not None:
            axis.axvline(
                best, color="grey", linestyle="--", linewidth=1, label=f"best epoch {best}"
            )
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.set_title(name)
        axis.legend(fontsize=8)
    figure.suptitle(title or run_title(plots_dir), fontsize=10)
    figure.tight_layout()
    figure.savefig(plots_dir / "training_curves.png", dpi=100)
    plt.close(figure)


def plot_attention(
    examples: Sequence[AttentionExample], plots_dir: pathlib.Path, title: Optional[str] = None
) -> None:
    """Heat maps of alignments: one file per example.

    Each example has `source` and `target` token lists and `alignments`, an
    array of shape (len(target), len(source)) or larger. `title` defaults to
    `run_title(plots_dir)`.
    """
    if not examples:
        return
    title = title or run_title(plots_dir)
    plots_dir.mkdir(parents=True, exist_ok=True)
    for index, example in enumerate(examples):
        source, target = example.source, example.target
        weights = example.alignments[: len(target), : len(source)]
        figure, axis = plt.subplots(
            figsize=(max(3, 0.35 * len(source) + 1), max(2.5, 0.35 * len(target) + 1))
        )
        image = axis.imshow(weights, cmap="viridis", aspect="auto", vmin=0.0, vmax=1.0)
        figure.colorbar(image, ax=axis, label="attention weight")
        axis.set_xticks(range(len(source)), source, rotation=90)
        axis.set_yticks(range(len(target)), target)
        axis.set_xlabel("source (attended position)")
        axis.set_ylabel("output token")
        axis.set_title(f"{title}\nexample {index}", fontsize=9)
        figure.tight_layout()
        figure.savefig(plots_dir / f"attention_{index}.png", dpi=100)
        plt.close(figure)


def plot_confusion_matrix(
    matrix, plots_dir: pathlib.Path, labels=None, title: Optional[str] = None
) -> None:
    """`confusion_matrix.png`: counts by true class (rows) and prediction.

    Does nothing when `matrix` is `None` (tasks without classes). `title`
    defaults to `run_title(plots_dir)`.
    """
    if matrix is None:
        return
    counts = np.asarray(matrix)
    labels = [str(i) for i in range(len(counts))] if labels is None else list(labels)
    plots_dir.mkdir(parents=True, exist_ok=True)
    size = max(3.5, 0.45 * len(labels) + 1.5)
    figure, axis = plt.subplots(figsize=(size, size))
    image = axis.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=axis, label="test examples", fraction=0.046, pad=0.04)
    darkest = counts.max() if counts.size else 0
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if darkest and count > darkest / 2 else "black"
        axis.text(column, row, str(count), ha="center", va="center", color=colour, fontsize=8)
    axis.set_xticks(range(len(labels)), labels)
    axis.set_yticks(range(len(labels)), labels)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    axis.set_title(f"{title or run_title(plots_dir)}\nconfusion matrix (test split)", fontsize=9)
    figure.tight_layout()
    figure.savefig(plots_dir / "confusion_matrix.png", dpi=100)
    plt.close(figure)
