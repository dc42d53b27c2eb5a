"""The pipeline's YAML config: read safely, typed by its schema, checked across fields."""
