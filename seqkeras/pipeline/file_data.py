"""The user's own example files as a pipeline's data (`data.dataset: files`).

A pipeline reads a training file and, if given, validation and test files in
TSV, CSV (first line names the columns) or JSON Lines, picked by the file's
suffix. The configured `source` and `target` columns become the examples'
`source` and `target` fields. A split without a file is carved from the
training file with the pipeline's seed, keeping every example of one source
in one split, as the built-in datasets do.
"""

import os
import pathlib
from typing import Dict

import tensorflow as tf

from seqkeras import data as sk_data
from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.schema import FilesConfig

READERS = {".tsv": sk_data.read_tsv, ".csv": sk_data.read_csv}
SUFFIXES = (".tsv", ".csv", ".jsonl")
#: Share of the training file given to a split that has no file of its own.
CARVED_SHARE = 0.1


def check_files(files: FilesConfig) -> None:
    """`ConfigError` naming the key when a configured file cannot be used."""
    if files.train is None:
        raise ConfigError(
            "data.files.train: required when data.dataset is 'files'; expected "
            "the path of a .tsv, .csv or .jsonl file of training examples."
        )
    for split in ("train", "validation", "test"):
        path = getattr(files, split)
        if path is None:
            continue
        suffix = pathlib.Path(path).suffix.lower()
        if suffix not in SUFFIXES:
            raise ConfigError(
                f"data.files.{split}: got {path!r}; expected a file ending in "
                f"{', '.join(SUFFIXES)}."
            )
        if not os.path.isfile(path):
            raise ConfigError(f"data.files.{split}: no such file {path!r}.")


def read_examples(path: str, files: FilesConfig) -> Dict[str, list]:
    """The `source` and `target` columns of one file, as lists of strings."""
    columns = [files.source, files.target]
    suffix = pathlib.Path(path).suffix.lower()
    if suffix == ".jsonl":
        records = sk_data.read_jsonl(path, columns)
    else:
        records = READERS[suffix](path, columns)
    examples = {"source": records[files.source], "target": records[files.target]}
    for field, values in examples.items():
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise DataError(
                    f"{records.where(index)}: {getattr(files, field)!r} is "
                    f"{value!r}; expected text."
                )
    return examples


def file_splits(files: FilesConfig, seed: int) -> Dict[str, tf.data.Dataset]:
    """train/validation/test datasets of `{"source", "target"}` strings."""
    check_files(files)
    given = {
        split: read_examples(getattr(files, split), files)
        for split in ("train", "validation", "test")
        if getattr(files, split) is not None
    }
    missing = [split for split in ("validation", "test") if split not in given]
    if missing:
        train = given["train"]
        fractions = {split: CARVED_SHARE for split in missing}
        fractions["train"] = 1.0 - CARVED_SHARE * len(missing)
        indices = sk_data.split_indices(
            len(train["source"]), fractions, seed=seed, groups=train["source"]
        )
        given.update(
            {
                split: {field: [values[i] for i in chosen] for field, values in train.items()}
                for split, chosen in indices.items()
            }
        )
    return {split: tf.data.Dataset.from_tensor_slices(columns) for split, columns in given.items()}
