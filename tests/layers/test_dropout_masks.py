"""Tests of seqkeras.layers.dropout_masks (shared by every seqkeras loop)."""

import keras
import numpy as np

from seqkeras.layers import LSTMCell
from seqkeras.layers import VanillaRNNCell
from seqkeras.layers.dropout_masks import prepare_dropout_masks
from seqkeras.layers.dropout_masks import reset_dropout_masks
from tests.layers import rnn_testing as rt

B, D, H = 3, 5, 4


def test_masks_are_cached_until_reset_and_scaled_by_the_keep_rate():
    cell = LSTMCell(H, dropout=0.5, recurrent_dropout=0.75, seed=1)
    x = np.ones((B, D), "float32")
    h = np.ones((B, H), "float32")

    mask = cell.get_dropout_mask(x)
    recurrent_mask = cell.get_recurrent_dropout_mask(h)
    assert cell.get_dropout_mask(x) is mask
    assert cell.get_recurrent_dropout_mask(h) is recurrent_mask
    assert mask.shape == (B, D) and recurrent_mask.shape == (B, H)
    assert set(np.unique(mask)) <= {0.0, 2.0}
    assert set(np.unique(recurrent_mask)) <= {0.0, 4.0}

    cell.reset_dropout_mask()
    cell.reset_recurrent_dropout_mask()
    assert cell.get_dropout_mask(x) is not mask
    assert cell.get_recurrent_dropout_mask(h) is not recurrent_mask


def test_no_masks_without_dropout():
    cell = VanillaRNNCell(H)
    x = np.ones((B, D), "float32")
    assert cell.get_dropout_mask(x) is None
    assert cell.get_recurrent_dropout_mask(x) is None
    assert cell.step_dropout_mask(x) is None
    assert cell.step_recurrent_dropout_mask(x) is None


def test_step_masks_are_the_prepared_ones_or_fresh_and_uncached():
    cell = VanillaRNNCell(H, dropout=0.5, recurrent_dropout=0.5, seed=2)
    x = np.ones((B, D), "float32")
    h = np.ones((B, H), "float32")

    first, second = cell.step_dropout_mask(x), cell.step_dropout_mask(x)
    assert first is not second
    assert cell.step_recurrent_dropout_mask(h) is not (cell.step_recurrent_dropout_mask(h))

    prepare_dropout_masks(cell, x, [h])
    assert cell.step_dropout_mask(x) is cell.get_dropout_mask(x)
    assert cell.step_recurrent_dropout_mask(h) is (cell.get_recurrent_dropout_mask(h))
    reset_dropout_masks(cell)
    prepared = cell.get_dropout_mask(x)
    reset_dropout_masks(cell)
    assert cell.step_dropout_mask(x) is not prepared


def test_prepare_gives_each_stacked_cell_masks_of_its_own_input_shape():
    first = VanillaRNNCell(H, dropout=0.5, recurrent_dropout=0.5, seed=1)
    second = LSTMCell(2, dropout=0.5, recurrent_dropout=0.5, seed=2)
    stacked = keras.layers.StackedRNNCells([first, second])
    x = np.ones((B, D), "float32")

    prepare_dropout_masks(stacked, x, stacked.get_initial_state(B))
    masks = [
        first.get_dropout_mask(None),
        first.get_recurrent_dropout_mask(None),
        second.get_dropout_mask(None),
        second.get_recurrent_dropout_mask(None),
    ]
    assert [tuple(m.shape) for m in masks] == [(B, D), (B, H), (B, H), (B, 2)]

    reset_dropout_masks(stacked)
    # Reset: asking again draws new masks instead of returning the old ones.
    h = np.ones((B, H), "float32")
    assert first.get_dropout_mask(x) is not masks[0]
    assert second.get_recurrent_dropout_mask(h[:, :2]) is not masks[3]


def test_prepared_masks_hold_for_a_whole_sequence_in_stacked_cells():
    # First cell: a linear memory without recurrence (rnn_testing) that
    # drops inputs; second cell: an identity without dropout. The output at
    # every step is then the first cell's input mask.
    first = VanillaRNNCell(H, activation=None, dropout=0.5, seed=4)
    second = VanillaRNNCell(H, activation=None)
    stacked = keras.layers.StackedRNNCells([first, second])
    rnn = keras.layers.RNN(stacked, return_sequences=True)
    rnn.build((None, 6, H))
    weights = rt.linear_memory_weights("vanilla", H, recurrent=False)
    rnn.set_weights(weights + weights)
    ones = np.ones((4, 6, H), "float32")

    prepare_dropout_masks(stacked, ones[:, 0], stacked.get_initial_state(4))
    try:
        outputs = rnn(ones, training=True)
    finally:
        reset_dropout_masks(stacked)

    rt.assert_input_mask_fixed(outputs, rate=0.5)


def test_works_with_keras_cells_too():
    cell = keras.layers.LSTMCell(H, dropout=0.5, recurrent_dropout=0.5)
    x = np.ones((B, D), "float32")
    h = np.ones((B, H), "float32")

    prepare_dropout_masks(cell, x, [h, h])
    mask = cell.get_dropout_mask(x)
    assert mask is not None and cell.get_dropout_mask(x) is mask
    reset_dropout_masks(cell)
    assert cell.get_dropout_mask(x) is not mask
