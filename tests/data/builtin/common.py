"""Reading built datasets back in tests."""

import tensorflow_datasets as tfds


def read_split(builder, split, batched=False):
    """Every example of a split as a list of dicts of NumPy values.

    `batched` reads faster but needs fixed-shape features.
    """
    if not batched:
        return list(tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)))
    examples = []
    for batch in tfds.as_numpy(
        builder.as_dataset(split=split, batch_size=8192, shuffle_files=False)
    ):
        size = len(next(iter(batch.values())))
        examples.extend({k: v[i] for k, v in batch.items()} for i in range(size))
    return examples


def check_documented(builder, entry):
    """Sizes recorded by tfds and the fields match the catalogue entry."""
    sizes = {name: info.num_examples for name, info in builder.info.splits.items()}
    assert sizes == entry.sizes
    assert sorted(builder.info.features.keys()) == sorted(entry.fields)
