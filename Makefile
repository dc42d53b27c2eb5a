# Everything runs in a virtual environment this Makefile creates (.venv), so a
# fresh clone needs nothing installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: install run demo test test-fast lint format clean

$(STAMP): setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,datasets,lint,subword,export]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/seqkeras run pipelines/digits_rows.yaml

demo: $(STAMP)
	$(BIN)/seqkeras demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15 tests

# Formatting and lint (ruff, configured in pyproject.toml); CI runs `lint`.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slow" tests

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
