"""Encoding text columns and batching them by length, shared by text tasks."""

import bisect
import collections
from typing import List
from typing import Optional
from typing import Sequence

import tensorflow as tf

from seqkeras import data as sk_data


def truncate(sequences: List[List[int]], max_length: Optional[int]) -> List[List[int]]:
    if max_length is None:
        return sequences
    return [s[:max_length] for s in sequences]


def length_batches(dataset, lengths, config, *, map_fn=None, shuffle: bool, keep_order=False):
    """Pad per batch, bucketing by length when `data.num_buckets` > 1.

    `keep_order` batches in example order, without buckets (a test split
    whose predictions are matched with its examples).

    The batches' number is set on the dataset, so that Keras shows the steps
    and the time left from the first epoch on, and does not warn that the
    input "ran out of data" at the end of an epoch of unknown length.
    """
    boundaries = None
    if config.data.num_buckets > 1 and len(lengths) > 1 and not keep_order:
        boundaries = sk_data.bucket_boundaries_for(lengths, config.data.num_buckets)

    batched = sk_data.batch_sequences(
        dataset,
        config.data.batch_size,
        map_fn=map_fn,
        bucket_boundaries=boundaries,
        shuffle=shuffle,
        seed=config.seed,
        cache=True,
        prefetch=False,
    )
    if batched.cardinality() >= 0:
        return batched.prefetch(tf.data.AUTOTUNE)
    # Buckets (or a generator) hide the count. Each bucket ends with one partial
    # batch, so the count is the sum over buckets of ceil(examples / batch size),
    # whatever the order: computed from the lengths the buckets are cut by (an
    # element's first sequence, whose lengths these are), where a pass over the
    # data took seconds per split.
    count = batch_count(lengths, boundaries, config.data.batch_size)
    batched = batched.apply(tf.data.experimental.assert_cardinality(count))
    return batched.prefetch(tf.data.AUTOTUNE)


def batch_count(lengths: Sequence[int], boundaries: Optional[Sequence[int]], batch_size: int):
    """The batches `bucket_by_sequence_length` (or `padded_batch`) makes of `lengths`.

    An example of length `n` goes to the bucket of the boundaries at most `n`
    (`tf.data.Dataset.bucket_by_sequence_length`'s rule).
    """
    buckets = collections.Counter(bisect.bisect_right(boundaries or [], n) for n in lengths)
    return sum(-(-examples // batch_size) for examples in buckets.values())
