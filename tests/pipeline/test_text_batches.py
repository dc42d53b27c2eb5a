"""Text batches tell Keras how many there are (no `1/Unknown`, no "ran out of data")."""

import types

import numpy as np
import tensorflow as tf

from seqkeras.pipeline.tasks.text_batches import length_batches


def config(num_buckets):
    data = types.SimpleNamespace(num_buckets=num_buckets, batch_size=4)
    return types.SimpleNamespace(data=data, seed=0)


def sequences(count=37):
    rng = np.random.default_rng(0)
    ids = [list(rng.integers(1, 9, size=rng.integers(1, 12))) for _ in range(count)]
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(ids), output_signature=tf.TensorSpec([None], tf.int32)
    )
    return dataset, [len(i) for i in ids]


def test_bucketed_batches_have_the_cardinality_they_yield_epoch_after_epoch():
    dataset, lengths = sequences()
    batches = length_batches(dataset, lengths, config(3), shuffle=True)
    counted = [sum(1 for _ in batches) for _ in range(3)]
    assert int(batches.cardinality()) == counted[0] == counted[1] == counted[2] > 37 // 4
    examples = sum(int(batch.shape[0]) for batch in batches)
    assert examples == 37


def test_batches_in_order_have_the_cardinality_of_padded_batches():
    dataset, lengths = sequences()
    batches = length_batches(dataset, lengths, config(1), shuffle=False, keep_order=True)
    assert int(batches.cardinality()) == 10 == sum(1 for _ in batches)
