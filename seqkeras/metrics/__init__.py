"""Scores of predictions against references, and the baselines they are read against.

Labels and tags (`label_metrics`), token sequences (`sequence_metrics`) and
the non-neural baselines (`baselines`); nothing here depends on the pipeline.
"""
