"""Encoding text columns and batching them by length, shared by text tasks."""

from typing import List
from typing import Optional

from seqkeras import data as sk_data


def truncate(sequences: List[List[int]], max_length: Optional[int]) -> List[List[int]]:
    if max_length is None:
        return sequences
    return [s[:max_length] for s in sequences]


def length_batches(dataset, lengths, config, *, map_fn=None, shuffle: bool, keep_order=False):
    """Pad per batch, bucketing by length when `data.num_buckets` > 1.

    `keep_order` batches in example order, without buckets (a test split
    whose predictions are matched with its examples).
    """
    boundaries = None
    if config.data.num_buckets > 1 and len(lengths) > 1 and not keep_order:
        boundaries = sk_data.bucket_boundaries_for(lengths, config.data.num_buckets)
    return sk_data.batch_sequences(
        dataset,
        config.data.batch_size,
        map_fn=map_fn,
        bucket_boundaries=boundaries,
        shuffle=shuffle,
        seed=config.seed,
        cache=True,
    )
