"""tf.data stages that turn examples into padded batches for `model.fit`.

The usual chain is::

    sequence_dataset(...)        # or any dataset of variable-length tensors
      -> limit_lengths_in_graph  # optional: truncate or drop, with a count
      -> batch_sequences         # map, cache, shuffle(seed), bucket/pad, prefetch

Batches are padded to the longest sequence *in the batch*, never to a global
maximum; with `bucket_boundaries`, examples of similar length are batched
together so that little padding is needed at all.
"""

import logging
from typing import Any
from typing import Callable
from typing import Optional
from typing import Sequence
from typing import Union

import numpy as np
import tensorflow as tf

from seqkeras.data.lengths import ON_LONG_CHOICES
from seqkeras.data.lengths import LengthReport
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid

logger = logging.getLogger("seqkeras.data")

AUTOTUNE = tf.data.AUTOTUNE


def _is_ragged_column(column: Any) -> bool:
    if isinstance(column, np.ndarray) or not isinstance(column, (list, tuple)):
        return False
    if not column or not isinstance(column[0], (list, tuple, np.ndarray)):
        return False
    return len({len(item) for item in column}) > 1


def _column_tensor(column: Any) -> Any:
    if _is_ragged_column(column):
        lengths = [len(item) for item in column]
        flat = np.concatenate([np.asarray(item) for item in column if len(item)] or [[]])
        if flat.dtype.kind in "iu":
            flat = flat.astype(np.int32)
        return tf.RaggedTensor.from_row_lengths(flat, lengths)
    array = np.asarray(column)
    return array.astype(np.int32) if array.dtype.kind in "iu" else array


def sequence_dataset(inputs: Any, targets: Any = None) -> tf.data.Dataset:
    """Make a dataset from Python lists of variable-length sequences.

    Args:
        inputs: a list of id lists (one per example), a NumPy array, or a
            tuple/dict of those for several inputs.
        targets: the same forms, or `None` for unsupervised data.

    Returns:
        A dataset whose elements are 1-D `int32` tensors of each example's
        own length (or ``(inputs, targets)`` tuples), ready for
        `batch_sequences`.
    """
    structure = inputs if targets is None else (inputs, targets)
    dataset = tf.data.Dataset.from_tensor_slices(_columns_to_tensors(structure))
    # Slices of a ragged tensor come out as ragged specs; make them dense so
    # padded_batch and bucketing accept them.
    return dataset.map(lambda *x: tf.nest.map_structure(tf.identity, x if len(x) > 1 else x[0]))


def _columns_to_tensors(structure: Any) -> Any:
    """Convert each column of a tuple/dict structure (lists are columns)."""
    if isinstance(structure, tuple):
        return tuple(_columns_to_tensors(item) for item in structure)
    if isinstance(structure, dict):
        return {key: _columns_to_tensors(item) for key, item in structure.items()}
    return _column_tensor(structure)


def map_batched(
    dataset: tf.data.Dataset, fn: Callable, *, batch_size: int = 1024
) -> tf.data.Dataset:
    """Apply a vectorized `fn` to groups of examples, then split them again.

    Encoding strings one example at a time costs a few microseconds of
    tf.data overhead per op; `fn` here sees `batch_size` examples at once
    (e.g. `Vocabulary.encode_in_graph` on a 1-D string tensor) and may return
    ragged tensors. The result has one element per input element, in order,
    with dense variable-length tensors, as if `fn` had been mapped per element.
    """
    check_positive_int("batch_size", batch_size)
    mapped = dataset.ragged_batch(batch_size).map(
        fn, num_parallel_calls=AUTOTUNE, deterministic=True
    )
    return mapped.unbatch().map(
        lambda *x: tf.nest.map_structure(tf.identity, x if len(x) > 1 else x[0])
    )


def _leaves(element: Any):
    return [leaf for leaf in tf.nest.flatten(element) if leaf.shape.rank and leaf.shape.rank >= 1]


def first_sequence_length(*element: Any) -> tf.Tensor:
    """The length of the first sequence in an element (the default bucket key)."""
    return tf.shape(_leaves(element)[0])[0]


def _padding_values(spec: Any, pad_value: int) -> Any:
    def value(leaf_spec):
        if leaf_spec.dtype == tf.string:
            return tf.constant("", tf.string)
        return tf.cast(tf.constant(pad_value if leaf_spec.dtype.is_integer else 0), leaf_spec.dtype)

    return tf.nest.map_structure(value, spec)


def bucket_boundaries_for(lengths: Sequence[int], num_buckets: int = 8) -> list:
    """Suggest bucket boundaries splitting `lengths` into similar-sized buckets."""
    check_positive_int("num_buckets", num_buckets)
    quantiles = np.quantile(np.asarray(lengths), np.linspace(0, 1, num_buckets + 1)[1:-1])
    return sorted({int(q) + 1 for q in quantiles})


def batch_sequences(
    dataset: tf.data.Dataset,
    batch_size: int,
    *,
    map_fn: Optional[Callable] = None,
    bucket_boundaries: Optional[Sequence[int]] = None,
    length_fn: Callable = first_sequence_length,
    shuffle: bool = True,
    seed: Optional[int] = None,
    shuffle_buffer: int = 10_000,
    cache: Union[bool, str] = False,
    prefetch: bool = True,
    drop_remainder: bool = False,
    pad_value: int = 0,
) -> tf.data.Dataset:
    """Turn a dataset of variable-length examples into padded batches.

    Stages, in order: `map_fn` (parallel, order kept) -> cache -> shuffle
    with `seed` -> batch, padding each batch to its own longest sequence
    (grouped by length first when `bucket_boundaries` is given) -> prefetch
    with `AUTOTUNE`.

    Args:
        dataset: elements are tensors, tuples or dicts; 1-D and longer
            tensors may vary in their first dimension.
        batch_size: examples per batch.
        map_fn: applied to every element first (e.g. encoding). Defaults to
            `None`.
        bucket_boundaries: lengths where buckets start, as for
            `tf.data.Dataset.bucket_by_sequence_length`; `None` batches in
            order without bucketing. Defaults to `None`.
        length_fn: an element's length for bucketing. Defaults to the length
            of its first sequence.
        shuffle: shuffle examples (each epoch anew). Defaults to `True`.
        seed: shuffle seed; the same seed gives the same batches. Defaults to
            `None`.
        shuffle_buffer: shuffle buffer size. Defaults to 10,000.
        cache: `True` caches in memory, a string caches to that file prefix,
            `False` does not cache. Defaults to `False`.
        prefetch: prefetch with `tf.data.AUTOTUNE`. Defaults to `True`.
        drop_remainder: drop a last, smaller batch. Defaults to `False`.
        pad_value: the value integer sequences are padded with (the
            vocabulary's `<pad>` id). Defaults to 0.
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("shuffle_buffer", shuffle_buffer)
    if map_fn is not None:
        dataset = dataset.map(map_fn, num_parallel_calls=AUTOTUNE, deterministic=True)
    if cache:
        dataset = dataset.cache("" if cache is True else cache)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    padding = _padding_values(dataset.element_spec, pad_value)
    if bucket_boundaries is None:
        dataset = dataset.padded_batch(
            batch_size, padding_values=padding, drop_remainder=drop_remainder
        )
    else:
        boundaries = [int(b) for b in bucket_boundaries]
        if not boundaries or boundaries != sorted(set(boundaries)) or boundaries[0] < 1:
            raise invalid("bucket_boundaries", "increasing positive integers", bucket_boundaries)
        dataset = dataset.bucket_by_sequence_length(
            element_length_func=length_fn,
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            padding_values=padding,
            drop_remainder=drop_remainder,
        )
    return dataset.prefetch(AUTOTUNE) if prefetch else dataset


def limit_lengths_in_graph(
    dataset: tf.data.Dataset,
    max_length: int,
    *,
    on_long: str = "truncate",
    name: str = "sequence",
) -> "tuple[tf.data.Dataset, LengthReport]":
    """Truncate or drop examples whose sequences exceed `max_length`.

    Every variable-length tensor of an element is limited (fixed-shape ones,
    such as images, are left alone). The count is exact: one pass over
    `dataset` is made to compute it.

    Args:
        dataset: a finite dataset.
        max_length: the longest allowed sequence.
        on_long: ``"truncate"`` or ``"drop"`` (use `limit_lengths` on the
            Python side for ``"error"``, which can name the file and line).
            Defaults to ``"truncate"``.
        name: what to call the sequences in the log message.

    Returns:
        ``(dataset, report)``; `report.kept` is empty (indices are not
        tracked in the graph).
    """
    check_positive_int("max_length", max_length)
    check_choice("on_long", on_long, ON_LONG_CHOICES[:2])
    variable = [
        spec.shape.rank and spec.shape[0] is None for spec in tf.nest.flatten(dataset.element_spec)
    ]

    def longest(*element):
        element = element if len(element) > 1 else element[0]
        sizes = [tf.shape(x)[0] for x, v in zip(tf.nest.flatten(element), variable) if v]
        return tf.reduce_max(tf.stack(sizes))

    def count(state, length):
        total, over, most = state
        return total + 1, over + tf.cast(length > max_length, tf.int64), tf.maximum(most, length)

    total, over, most = dataset.map(longest).reduce(
        (tf.constant(0, tf.int64), tf.constant(0, tf.int64), tf.constant(0, tf.int32)), count
    )
    total, over, most = int(total), int(over), int(most)
    if on_long == "drop":
        dataset = dataset.filter(lambda *e: longest(*e) <= max_length)
    else:

        def truncate(*element):
            element = element if len(element) > 1 else element[0]
            leaves = [
                x[:max_length] if v else x for x, v in zip(tf.nest.flatten(element), variable)
            ]
            return tf.nest.pack_sequence_as(element, leaves)

        dataset = dataset.map(truncate, num_parallel_calls=AUTOTUNE, deterministic=True)
    report = LengthReport(
        total=total,
        truncated=over if on_long == "truncate" else 0,
        dropped=over if on_long == "drop" else 0,
        longest=most,
        kept=(),
    )
    if over:
        logger.warning(
            "%s: %d of %d %s at max_length=%d (longest was %d).",
            name,
            over,
            total,
            "truncated" if on_long == "truncate" else "dropped",
            max_length,
            most,
        )
    return dataset, report


def pad_share(batches: tf.data.Dataset, pad_value: int = 0) -> float:
    """The share of integer sequence positions that are padding, over `batches`."""
    pads = total = 0
    for batch in batches:
        for leaf in tf.nest.flatten(batch):
            if leaf.dtype.is_integer and leaf.shape.rank >= 2:
                array = leaf.numpy()
                pads += int((array == pad_value).sum())
                total += array.size
    return pads / total if total else 0.0
