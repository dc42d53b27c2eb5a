import keras
import numpy as np
import pytest

from seqkeras.layers import PositionEmbedding
from tests.helpers import assert_config_round_trip
from tests.helpers import assert_reloads_in_fresh_process


def test_adds_one_learned_vector_per_position():
    layer = PositionEmbedding()
    x = np.random.default_rng(0).normal(size=(3, 4, 5)).astype("float32")
    y = np.asarray(layer(x))
    table = np.asarray(layer.embeddings)
    assert table.shape == (4, 5)
    np.testing.assert_allclose(y, x + table[None], atol=1e-6)
    # Identical items at two positions come out different.
    same = np.tile(x[:, :1], (1, 4, 1))
    out = np.asarray(layer(same))
    assert np.abs(out[:, 0] - out[:, 1]).max() > 1e-3


def test_config_round_trip_and_reload(tmp_path):
    assert_config_round_trip(PositionEmbedding(initializer="zeros", name="p"))
    inputs = keras.Input((4, 5))
    model = keras.Model(inputs, PositionEmbedding()(inputs))
    x = np.random.default_rng(1).normal(size=(2, 4, 5)).astype("float32")
    assert_reloads_in_fresh_process(model, x, tmp_path)


def test_unknown_length_message():
    with pytest.raises(
        ValueError, match=r"`input_shape`: expected a fixed number of steps, got \(None, None, 5\)"
    ):
        PositionEmbedding().build((None, None, 5))
