"""Windows over one long sequence: forecasting, language modelling, TBPTT.

Build windows inside each split separately (split a series chronologically
first), so that no window of the test split overlaps the training data.
"""

import logging
from typing import Optional
from typing import Tuple

import numpy as np
import tensorflow as tf

from seqkeras.utils.arguments import check_optional_positive_int
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid

logger = logging.getLogger("seqkeras.data")


def forecast_windows(
    series: np.ndarray,
    input_length: int,
    *,
    horizon: int = 1,
    stride: int = 1,
) -> Tuple[np.ndarray, np.ndarray]:
    """Cut a series into (past window, next values) pairs for forecasting.

    Args:
        series: shape ``(time,)`` or ``(time, features)``.
        input_length: steps the model sees.
        horizon: steps to predict after the window. Defaults to 1.
        stride: steps between window starts. Defaults to 1.

    Returns:
        ``x`` of shape ``(windows, input_length, features)`` (float32) and
        ``y`` of shape ``(windows, horizon)`` holding the first feature of
        the `horizon` steps that follow each window.

    Raises:
        ValueError: the series is shorter than one window plus `horizon`.
    """
    check_positive_int("input_length", input_length)
    check_positive_int("horizon", horizon)
    check_positive_int("stride", stride)
    values = np.asarray(series, dtype=np.float32)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or len(values) < input_length + horizon:
        raise invalid(
            "series",
            f"at least input_length + horizon = {input_length + horizon} steps",
            f"shape {np.shape(series)}",
        )
    starts = np.arange(0, len(values) - input_length - horizon + 1, stride)
    x = np.stack([values[s : s + input_length] for s in starts])
    y = np.stack([values[s + input_length : s + input_length + horizon, 0] for s in starts])
    return x, y


def language_model_windows(
    ids: np.ndarray, length: int, *, stride: Optional[int] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Next-token windows: ``x = ids[i:i+T]``, ``y = ids[i+1:i+T+1]``.

    Args:
        ids: the encoded text as one 1-D sequence.
        length: `T`, the window length.
        stride: steps between window starts; defaults to `length`
            (non-overlapping windows).

    Returns:
        ``(x, y)``, both ``(windows, length)`` int32.
    """
    check_positive_int("length", length)
    stride = check_optional_positive_int("stride", stride) or length
    ids = np.asarray(ids, dtype=np.int32).reshape(-1)
    if len(ids) < length + 1:
        raise invalid("ids", f"at least length + 1 = {length + 1} tokens", len(ids))
    starts = np.arange(0, len(ids) - length, stride)
    x = np.stack([ids[s : s + length] for s in starts])
    y = np.stack([ids[s + 1 : s + length + 1] for s in starts])
    return x, y


def tbptt_streams(ids: np.ndarray, batch_size: int, window: int) -> tf.data.Dataset:
    """Contiguous streams for truncated backpropagation through time.

    The text is cut into `batch_size` contiguous pieces, one per batch row;
    window ``k`` holds steps ``k*window .. (k+1)*window - 1`` of every piece.
    So row ``b`` of window ``k + 1`` continues exactly where row ``b`` of
    window ``k`` stopped, and a stateful RNN can carry its state across
    windows. Targets are the inputs shifted by one step. The batches must
    not be shuffled.

    Args:
        ids: the encoded text as one 1-D sequence.
        batch_size: rows per batch (parallel streams).
        window: steps per window (the truncation length).

    Returns:
        A dataset of ``(x, y)`` pairs of shape ``(batch_size, window)``.
        Tokens that do not fill a whole window at the end of each row are
        left out, and their count is logged.
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("window", window)
    ids = np.asarray(ids, dtype=np.int32).reshape(-1)
    row_length = (len(ids) - 1) // batch_size
    windows = row_length // window
    if windows < 1:
        raise invalid(
            "ids", f"at least batch_size * window + 1 = {batch_size * window + 1} tokens", len(ids)
        )
    steps = windows * window
    rows = np.stack([ids[b * row_length : b * row_length + steps + 1] for b in range(batch_size)])
    left_out = len(ids) - batch_size * steps
    if left_out > 1:
        logger.info(
            "tbptt_streams: %d of %d tokens do not fill a window and are left out.",
            left_out,
            len(ids),
        )
    x = rows[:, :-1].reshape(batch_size, windows, window).transpose(1, 0, 2)
    y = rows[:, 1:].reshape(batch_size, windows, window).transpose(1, 0, 2)
    return tf.data.Dataset.from_tensor_slices((x, y))
