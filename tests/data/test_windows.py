"""Forecast and language-model windows, and TBPTT streams (item 4)."""

import numpy as np
import pytest

from seqkeras.data import windows


def test_forecast_windows():
    x, y = windows.forecast_windows(np.arange(10.0), 4, horizon=2, stride=3)
    assert x.shape == (2, 4, 1) and y.shape == (2, 2) and x.dtype == np.float32
    assert x[1, :, 0].tolist() == [3, 4, 5, 6] and y[1].tolist() == [7, 8]
    with pytest.raises(
        ValueError, match="`series`: expected at least input_length \\+ horizon = 12 steps"
    ):
        windows.forecast_windows(np.arange(10.0), 10, horizon=2)


def test_language_model_windows_shift_by_one():
    text = np.arange(100, 123)
    x, y = windows.language_model_windows(text, 5)
    assert x.shape == (4, 5)
    assert x[1].tolist() == list(range(105, 110)) and y[1].tolist() == list(range(106, 111))
    x, _ = windows.language_model_windows(text, 5, stride=2)
    assert x[1, 0] == 102


def test_tbptt_rows_continue_across_windows():
    ids = np.arange(1000, 1000 + 1003)  # every id is unique, so positions are recoverable
    batches = list(windows.tbptt_streams(ids, batch_size=4, window=7).as_numpy_iterator())
    assert len(batches) == (1002 // 4) // 7
    for k in range(len(batches) - 1):
        x_now, y_now = batches[k]
        x_next, _ = batches[k + 1]
        assert x_now.shape == (4, 7)
        for b in range(4):
            position = int(x_now[b, -1]) - 1000
            # The first element of row b in window k+1 follows the last of window k.
            assert x_next[b, 0] == ids[position + 1]
            assert y_now[b, -1] == x_next[b, 0]
    x0, y0 = batches[0]
    assert (y0[:, :-1] == x0[:, 1:]).all()
    assert len({int(x[b, 0]) for x, _ in batches for b in range(4)}) == 4 * len(batches)


def test_tbptt_too_short():
    with pytest.raises(
        ValueError, match="`ids`: expected at least batch_size \\* window \\+ 1 = 21 tokens, got 10"
    ):
        windows.tbptt_streams(np.arange(10), 4, 5)
