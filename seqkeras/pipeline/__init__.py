"""YAML-driven pipelines: config loading, the runner and one module per task."""
