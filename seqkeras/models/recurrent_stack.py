"""Pieces every builder shares: the cell registry, inputs and encoder stacks."""

from typing import List
from typing import Optional
from typing import Tuple

import keras

from seqkeras import layers
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import check_rate
from seqkeras.utils.arguments import invalid

# Cell kinds by the lower-case name configs use: (cell class, sequence layer).
CELLS = {
    "lstm": (layers.LSTMCell, layers.LSTM),
    "vanilla": (layers.VanillaRNNCell, layers.VanillaRNN),
    "gru": (layers.GRUCell, layers.GRU),
}

# States per layer of each cell kind: LSTM carries (h, c), the vanilla RNN
# and the GRU h.
STATES_PER_LAYER = {"lstm": 2, "vanilla": 1, "gru": 1}


def check_common_options(
    cell: str,
    units: int,
    num_layers: int = 1,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
) -> None:
    """Validate the options all builders take; raise `ValueError` naming one."""
    check_choice("cell", cell, CELLS)
    check_positive_int("units", units)
    check_positive_int("num_layers", num_layers)
    check_rate("dropout", dropout)
    check_rate("recurrent_dropout", recurrent_dropout)


def sequence_input(
    *,
    vocab_size: Optional[int],
    input_dim: Optional[int],
    embedding_dim: int,
    sequence_length: Optional[int] = None,
    mask_value: Optional[float] = None,
    batch_size: Optional[int] = None,
    name: str = "inputs",
    embedding_name: str = "embedding",
) -> Tuple[keras.KerasTensor, keras.KerasTensor]:
    """Return `(input, features)` for token ids or for vectors per step.

    Token ids `(batch, steps)` go through an `Embedding` with `mask_zero=True`
    (id 0 is padding); vectors `(batch, steps, input_dim)` are masked where
    every feature equals `mask_value`, when one is given. A fixed
    `batch_size` is what stateful layers need.
    """
    if (vocab_size is None) == (input_dim is None):
        raise ValueError(
            "Pass exactly one of `vocab_size` (token-id inputs) and "
            f"`input_dim` (vector inputs); got vocab_size={vocab_size!r}, "
            f"input_dim={input_dim!r}."
        )
    if sequence_length is not None:
        check_positive_int("sequence_length", sequence_length)
    if vocab_size is not None:
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("embedding_dim", embedding_dim)
        inputs = keras.Input((sequence_length,), batch_size=batch_size, dtype="int32", name=name)
        features = keras.layers.Embedding(
            vocab_size, embedding_dim, mask_zero=True, name=embedding_name
        )(inputs)
        return inputs, features
    check_positive_int("input_dim", input_dim)
    inputs = keras.Input((sequence_length, input_dim), batch_size=batch_size, name=name)
    features = inputs
    if mask_value is not None:
        features = keras.layers.Masking(mask_value, name="masking")(inputs)
    return inputs, features


def recurrent_layer(
    cell: str,
    units: int,
    *,
    bidirectional: bool = False,
    name: str,
    **kwargs,
) -> keras.layers.Layer:
    """One sequence layer of the given cell kind, optionally bidirectional."""
    layer_class = CELLS[cell][1]
    if bidirectional:
        return keras.layers.Bidirectional(layer_class(units, **kwargs), name=name)
    return layer_class(units, name=name, **kwargs)


def recurrent_stack(
    features: keras.KerasTensor,
    *,
    cell: str,
    units: int,
    num_layers: int,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    return_sequences: bool = True,
    return_state: bool = False,
    stateful: bool = False,
    name: str = "encoder",
) -> Tuple[keras.KerasTensor, List[keras.KerasTensor]]:
    """Stack `num_layers` sequence layers, each with its own weights.

    Layers are named `{name}_0`, `{name}_1`, ... Returns `(outputs, states)`:
    the last layer's outputs and, with `return_state`, its final states in
    cell order (`[h, c]` for an LSTM); a bidirectional stack concatenates the
    forward and backward state of each kind (`[h_fw; h_bw]`, `[c_fw; c_bw]`).
    """
    states: List[keras.KerasTensor] = []
    x = features
    for index in range(num_layers):
        last = index == num_layers - 1
        layer = recurrent_layer(
            cell,
            units,
            bidirectional=bidirectional,
            return_sequences=return_sequences or not last,
            return_state=return_state and last,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            stateful=stateful,
            name=f"{name}_{index}",
        )
        result = layer(x)
        if return_state and last:
            x, *states = result
        else:
            x = result
    if bidirectional and states:
        half = len(states) // 2
        states = [
            keras.layers.Concatenate(name=f"{name}_state_{i}")([fw, bw])
            for i, (fw, bw) in enumerate(zip(states[:half], states[half:]))
        ]
    return x, states


def bridge_states(
    sources: List[keras.KerasTensor],
    *,
    cell: str,
    units: int,
    num_layers: int,
    name: str = "bridge",
) -> List[keras.KerasTensor]:
    """Initial decoder states from encoder states or features.

    Each of the decoder's `num_layers * states_per_layer` states is
    `tanh(W x + b)` of its source: `sources[k]` feeds the k-th state of every
    layer (one source serves all states when only one is given), as
    Bahdanau et al. initialise the decoder from the encoder.
    """
    per_layer = STATES_PER_LAYER[cell]
    if len(sources) not in (1, per_layer):
        raise invalid("sources", f"1 or {per_layer} tensors", len(sources))
    states = []
    for layer_index in range(num_layers):
        for kind in range(per_layer):
            source = sources[kind if len(sources) > 1 else 0]
            states.append(
                keras.layers.Dense(
                    units,
                    activation="tanh",
                    name=f"{name}_{layer_index * per_layer + kind}",
                )(source)
            )
    return states


def decoder_cell(
    cell: str,
    units: int,
    num_layers: int,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
):
    """The decoder's cell: one cell, or a `StackedRNNCells` of `num_layers`."""
    cell_class = CELLS[cell][0]
    cells = [
        cell_class(units, dropout=dropout, recurrent_dropout=recurrent_dropout)
        for _ in range(num_layers)
    ]
    return cells[0] if num_layers == 1 else keras.layers.StackedRNNCells(cells)
