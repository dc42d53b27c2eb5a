"""Encoding text columns and batching them by length, shared by text tasks."""

from typing import List
from typing import Optional

import numpy as np
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

    def batches(shuffle, cache):
        return sk_data.batch_sequences(
            dataset,
            config.data.batch_size,
            map_fn=map_fn,
            bucket_boundaries=boundaries,
            shuffle=shuffle,
            seed=config.seed,
            cache=cache,
            prefetch=False,
        )

    batched = batches(shuffle, cache=True)
    if batched.cardinality() >= 0:
        return batched.prefetch(tf.data.AUTOTUNE)
    # Buckets (or a generator) hide the count. It does not depend on the order
    # (each bucket ends with one partial batch), so it is counted on an unshuffled
    # copy: a pass over the shuffled one would move the seeded shuffles of training.
    count = int(batches(False, cache=False).reduce(np.int64(0), lambda n, _: n + 1))
    batched = batched.apply(tf.data.experimental.assert_cardinality(count))
    return batched.prefetch(tf.data.AUTOTUNE)
