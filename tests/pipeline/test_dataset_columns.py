"""Reading a tf.data dataset into columns: batched where it can be, equal to one at a time."""

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.pipeline.tasks import examples


def _one_at_a_time(dataset):
    columns = {}
    for example in dataset.as_numpy_iterator():
        for key, value in example.items():
            columns.setdefault(key, []).append(value)
    return columns


def _assert_same_columns(got, expected):
    assert got.keys() == expected.keys()
    for key in expected:
        assert len(got[key]) == len(expected[key]), key
        for a, b in zip(got[key], expected[key]):
            assert type(a) is type(b), (key, type(a), type(b))
            assert np.asarray(a).dtype == np.asarray(b).dtype, key
            assert np.asarray(a).shape == np.asarray(b).shape, key
            np.testing.assert_array_equal(a, b)


def _ragged_rows(count, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 9, size=rng.integers(0, 6)).astype(np.int32) for _ in range(count)]


@pytest.mark.parametrize("count", [0, 1, 7, examples.READ_BATCH + 3])
def test_batched_reading_gives_what_one_at_a_time_gives(count):
    rows = _ragged_rows(count, seed=count)
    dataset = tf.data.Dataset.from_generator(
        lambda: (
            {
                "text": f"example {i}".encode(),
                "label": np.int64(i % 3),
                "image": np.full((2, 3), i, np.float32),
                "tags": rows[i],
                "flag": bool(i % 2),
            }
            for i in range(count)
        ),
        output_signature={
            "text": tf.TensorSpec((), tf.string),
            "label": tf.TensorSpec((), tf.int64),
            "image": tf.TensorSpec((2, 3), tf.float32),
            "tags": tf.TensorSpec((None,), tf.int32),
            "flag": tf.TensorSpec((), tf.bool),
        },
    )
    assert examples._batchable(dataset.element_spec)
    got = examples._numpy_columns(dataset)
    if count == 0:
        assert got == {}
        return
    _assert_same_columns(got, _one_at_a_time(dataset))


def test_layouts_batching_would_change_are_read_one_at_a_time():
    images = [np.ones((h, w), np.uint8) * h for h, w in [(2, 3), (4, 1), (1, 5)]]
    dataset = tf.data.Dataset.from_generator(
        lambda: ({"image": image, "nested": {"id": np.int64(i)}} for i, image in enumerate(images)),
        output_signature={
            "image": tf.TensorSpec((None, None), tf.uint8),
            "nested": {"id": tf.TensorSpec((), tf.int64)},
        },
    )
    assert not examples._batchable(dataset.element_spec)
    got = examples._numpy_columns(dataset)
    for image, expected in zip(got["image"], images):
        np.testing.assert_array_equal(image, expected)
    assert [n["id"] for n in got["nested"]] == [0, 1, 2]
