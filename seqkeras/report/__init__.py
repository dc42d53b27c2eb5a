"""Run reports: sample predictions and plots (training curves, attention, confusion)."""

from seqkeras.report.plots import plot_attention
from seqkeras.report.plots import plot_confusion_matrix
from seqkeras.report.plots import plot_training_curves
from seqkeras.report.predictions import write_predictions

__all__ = ["plot_attention", "plot_confusion_matrix", "plot_training_curves", "write_predictions"]
