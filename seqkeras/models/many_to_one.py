"""Many-to-one: a sequence in, one prediction out."""

from typing import Optional
from typing import Union

import keras

from seqkeras.models.attention_mechanism import build_attention
from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.recurrent_stack import check_common_options
from seqkeras.models.recurrent_stack import recurrent_stack
from seqkeras.models.recurrent_stack import sequence_input
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_positive_int

POOLINGS = ("last", "attention")


def build_many_to_one(
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
    pooling: str = "last",
    attention: Union[str, AttentionOptions] = "bahdanau",
    attention_units: Optional[int] = None,
    attention_score: Optional[str] = None,
    scale_attention: bool = False,
    mask_value: Optional[float] = None,
    input_scale: Optional[float] = None,
    output_activation: Optional[str] = "softmax",
    name: str = "many_to_one",
) -> keras.Model:
    """Builds a model that reads a sequence and makes one prediction.

    Classify a sequence (digits read row by row, sentiment) or forecast the
    next value of a series: `(batch, steps, input_dim)` vectors or
    `(batch, steps)` token ids in, `(batch, num_outputs)` out.

    Args:
        num_outputs: Positive integer, number of classes or of regression
            targets.
        vocab_size: Size of the token vocabulary, for token-id inputs (id 0
            is padding and is masked). Defaults to `None`.
        input_dim: Number of features per step, for vector inputs. Give
            exactly one of `vocab_size` and `input_dim`. Defaults to `None`.
        sequence_length: Optional fixed number of steps. Defaults to `None`
            (any length).
        embedding_dim: Size of token embeddings. Defaults to `64`.
        cell: `"lstm"`, `"gru"` or `"vanilla"`. Defaults to `"lstm"`.
        units: Units per recurrent layer (per direction). Defaults to `64`.
        num_layers: Number of stacked recurrent layers. Defaults to `1`.
        bidirectional: Whether each layer reads both ways. Defaults to
            `False`.
        dropout: Input dropout rate of each recurrent layer. Defaults to `0.`.
        recurrent_dropout: Recurrent dropout rate. Defaults to `0.`.
        pooling: `"last"` (the final state) or `"attention"` (attention of
            the final state over all steps, concatenated with it). Defaults
            to `"last"`.
        attention: With `pooling="attention"`, `"bahdanau"` or `"luong"`.
            Defaults to `"bahdanau"`.
        attention_units: Attention size with `pooling="attention"`
            (Bahdanau, Luong `"concat"`). Defaults to `units`.
        attention_score: Luong's score, `"dot"`, `"general"` or `"concat"`;
            `None` is `"general"`. Defaults to `None`.
        scale_attention: Multiply Luong's scores by a learned scalar.
            Defaults to `False`.
        mask_value: For vector inputs, steps whose features all equal it are
            padding and are skipped. Defaults to `None` (no masking).
        input_scale: For vector inputs, a factor the model multiplies them by
            first (`keras.layers.Rescaling`), so that the model takes values
            as the data holds them (pixel counts 0-16 with `1 / 16`).
            Defaults to `None` (no scaling).
        output_activation: Activation of the output layer: `"softmax"` for
            class probabilities, `None` for regression or logits. Defaults to
            `"softmax"`.
        name: Model name. Defaults to `"many_to_one"`.

    Returns:
        A `keras.Model` from `(batch, steps[, input_dim])` to
        `(batch, num_outputs)`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    model = seqkeras.models.build_many_to_one(10, input_dim=8, units=32)
    model.compile("adam", "sparse_categorical_crossentropy")
    ```
    """
    check_positive_int("num_outputs", num_outputs)
    check_common_options(cell, units, num_layers, dropout, recurrent_dropout)
    check_choice("pooling", pooling, POOLINGS)
    inputs, features = sequence_input(
        vocab_size=vocab_size,
        input_dim=input_dim,
        embedding_dim=embedding_dim,
        sequence_length=sequence_length,
        mask_value=mask_value,
    )
    if input_scale is not None:
        if vocab_size is not None:
            raise ValueError(
                "`input_scale` scales vector inputs; got input_scale="
                f"{input_scale!r} with token ids (vocab_size={vocab_size!r})."
            )
        # After the masking layer: a padded step of zeros stays zeros and masked.
        features = keras.layers.Rescaling(input_scale, name="input_scaling")(features)
    attend = pooling == "attention"
    sequence, states = recurrent_stack(
        features,
        cell=cell,
        units=units,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
        return_sequences=attend,
        return_state=attend,
    )
    if attend:
        options = AttentionOptions.of(
            attention,
            attention_units=attention_units,
            attention_score=attention_score,
            scale_attention=scale_attention,
        )
        pooled = _attention_pooling(sequence, states[0], options, units)
    else:
        pooled = sequence
    outputs = keras.layers.Dense(
        num_outputs,
        activation=output_activation,
        name="outputs",
        # float32 under mixed precision too: a stable softmax and loss.
        dtype="float32",
    )(pooled)
    return keras.Model(inputs, outputs, name=name)


def _attention_pooling(sequence, last_state, options: AttentionOptions, units: int):
    """`[h_T; context]`: the last state beside its attention over every step's output."""
    pooling_attention = build_attention(
        options,
        default_units=units,
        query_size=last_state.shape[-1],
        memory_size=sequence.shape[-1],
        name="attention_pooling",
    )
    context, _ = pooling_attention(last_state, sequence)
    return keras.layers.Concatenate(name="pooled")([last_state, context])
