"""Synchronous many-to-many: one prediction per input step."""

from typing import Optional

import keras

from seqkeras.models.recurrent_stack import check_common_options
from seqkeras.models.recurrent_stack import recurrent_stack
from seqkeras.models.recurrent_stack import sequence_input
from seqkeras.utils.arguments import check_positive_int


def build_many_to_many(
    num_outputs: int,
    *,
    vocab_size: Optional[int] = None,
    input_dim: Optional[int] = None,
    sequence_length: Optional[int] = None,
    embedding_dim: int = 64,
    cell: str = "lstm",
    units: int = 64,
    num_layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    mask_value: Optional[float] = None,
    output_activation: Optional[str] = "softmax",
    stateful: bool = False,
    batch_size: Optional[int] = None,
    name: str = "many_to_many",
) -> keras.Model:
    """Builds a model that makes a prediction at every step of a sequence.

    Per-frame labels, per-character tags or next-character language models:
    `(batch, steps[, input_dim])` in, `(batch, steps, num_outputs)` out. The
    output keeps the input's padding mask, so Keras losses and metrics skip
    padded steps.

    Args:
        num_outputs: Positive integer, classes (or values) per step.
        vocab_size: Size of the token vocabulary, for token-id inputs (id 0
            is padding and is masked). Defaults to `None`.
        input_dim: Number of features per step, for vector inputs. Give
            exactly one of `vocab_size` and `input_dim`. Defaults to `None`.
        sequence_length: Optional fixed number of steps. Defaults to `None`.
        embedding_dim: Size of token embeddings. Defaults to `64`.
        cell: `"lstm"`, `"gru"` or `"vanilla"`. Defaults to `"lstm"`.
        units: Units per recurrent layer (per direction). Defaults to `64`.
        num_layers: Number of stacked recurrent layers. Defaults to `1`.
        bidirectional: Whether each layer also reads right to left, so that
            every step sees context on both sides. Defaults to `False`.
        dropout: Input dropout rate of each recurrent layer. Defaults to `0.`.
        recurrent_dropout: Recurrent dropout rate. Defaults to `0.`.
        mask_value: For vector inputs, steps whose features all equal it are
            padding. Defaults to `None` (no masking).
        output_activation: `"softmax"` for per-step class probabilities,
            `None` for logits or values. Defaults to `"softmax"`.
        stateful: Whether the recurrent layers carry their final states
            into the next batch (truncated backpropagation through time over
            contiguous streams; reset with `reset_states()`). Needs
            `batch_size`. Defaults to `False`.
        batch_size: Fixed batch size, required with `stateful=True`.
            Defaults to `None`.
        name: Model name. Defaults to `"many_to_many"`.

    Returns:
        A `keras.Model` from `(batch, steps[, input_dim])` to
        `(batch, steps, num_outputs)`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    model = seqkeras.models.build_many_to_many(
        2, vocab_size=60, bidirectional=True
    )
    ```
    """
    check_positive_int("num_outputs", num_outputs)
    check_common_options(cell, units, num_layers, dropout, recurrent_dropout)
    if stateful and batch_size is None:
        raise ValueError(
            "Received an invalid value for `batch_size`: expected a positive "
            "integer with `stateful=True` (stateful layers need a fixed batch), "
            "got None."
        )
    inputs, features = sequence_input(
        vocab_size=vocab_size,
        input_dim=input_dim,
        embedding_dim=embedding_dim,
        sequence_length=sequence_length,
        mask_value=mask_value,
        batch_size=batch_size,
    )
    sequence, _ = recurrent_stack(
        features,
        cell=cell,
        units=units,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
        stateful=stateful,
    )
    outputs = keras.layers.Dense(
        num_outputs,
        activation=output_activation,
        name="outputs",
        # float32 under mixed precision too: a stable softmax and loss.
        dtype="float32",
    )(sequence)
    return keras.Model(inputs, outputs, name=name)
