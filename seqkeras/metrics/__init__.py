"""Scores of predictions against references, and the baselines they are read against.

Labels and tags (`label_metrics`), token sequences (`sequence_metrics`),
the non-neural baselines (`baselines`), and the typed `Evaluation` a task
returns and `metrics.json` holds (`evaluation`); nothing here depends on the
pipeline.
"""
