"""Base class of seqkeras's sequence layers (`VanillaRNN`, `LSTM`, `GRU`)."""

import keras
from keras import ops

from seqkeras.layers.dropout_masks import prepare_dropout_masks
from seqkeras.layers.dropout_masks import reset_dropout_masks
from seqkeras.layers.fast_recurrence import run_fast_loop
from seqkeras.utils.arguments import check_choice

IMPLEMENTATIONS = ("reference", "fast")


class CellRNN(keras.layers.RNN):
    """`keras.layers.RNN` over one cell that a subclass builds from flat args.

    What it adds to `keras.layers.RNN`:

    - masks are honoured when `initial_state` is passed too (plain
      `keras.layers.RNN` then drops the mask of its input);
    - per-sequence dropout masks: `call` draws the cell's masks before the
      loop and clears them after it, so every step of a sequence shares them;
    - a flat config: the cell's own arguments sit beside the RNN arguments
      (no nested `cell` entry), so `from_config` is `cls(**config)` and
      `keras.layers.Bidirectional` can rebuild the backward layer from it.

    - `implementation`: `"fast"` runs the loop of `fast_recurrence` (input
      product for all steps before the loop, only the recurrent product
      inside); `"reference"` runs `keras.layers.RNN`'s loop, which calls the
      cell at every step. Same weights and results (to float rounding).

    A subclass's `__init__` builds its cell from its arguments and passes it
    on, and exposes the cell's arguments with `cell_attribute`; it narrows
    `implementations` when the fast loop does not cover its cell.
    """

    implementations = IMPLEMENTATIONS

    def __init__(self, cell, implementation="reference", **kwargs):
        implementation = check_choice("implementation", implementation, self.implementations)
        super().__init__(cell, **kwargs)
        self.implementation = implementation
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def call(
        self,
        sequences,
        initial_state=None,
        mask=None,
        training=False,
        sequences_mask=None,
    ):
        if mask is None:
            # When `initial_state` is given too, Keras hands over the mask of
            # `sequences` (e.g. from a Masking layer) under this name only.
            mask = sequences_mask
        if training:
            batch_size = ops.shape(sequences)[0]
            prepare_dropout_masks(
                self.cell,
                sequences[:, 0],
                self.get_initial_state(batch_size),
            )
        try:
            return super().call(
                sequences,
                initial_state=initial_state,
                mask=mask,
                training=training,
            )
        finally:
            reset_dropout_masks(self.cell)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        # A cell the fast loop does not cover runs the reference loop even if
        # the attribute was set by hand.
        if self.implementation == "reference" or "fast" not in self.implementations:
            return super().inner_loop(sequences, initial_state, mask, training=training)
        return run_fast_loop(self, sequences, initial_state, mask, training)

    def get_config(self):
        # Keep only the cell's own arguments: its name, dtype and trainable
        # flag come from this layer's.
        layer_keys = keras.layers.Layer.get_config(self.cell).keys()
        config = {
            key: value for key, value in self.cell.get_config().items() if key not in layer_keys
        }
        base_config = super().get_config()
        del base_config["cell"]
        config["implementation"] = self.implementation
        return {**base_config, **config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def cell_attribute(name):
    """A read-only property that forwards `name` to the layer's cell."""
    return property(
        lambda self: getattr(self.cell, name),
        doc=f"The cell's `{name}`.",
    )


def set_implementation(model, implementation):
    """Sets `implementation` on every sequence layer of `model`.

    Reaches into `Bidirectional` wrappers and nested models. It takes effect
    at the next trace of the model (before `compile` and `fit`, or a fresh
    call), since each call of a layer picks its loop.

    Args:
        model: A Keras model or layer.
        implementation: `"fast"` or `"reference"`.

    Raises:
        ValueError: If `implementation` is unknown, or if a layer of `model`
            does not have it (`GRU` runs the reference loop only).
    """
    implementation = check_choice("implementation", implementation, IMPLEMENTATIONS)
    found = list(_sequence_layers(model))
    for layer in found:
        if implementation not in layer.implementations:
            raise ValueError(
                f"Received an invalid value for `implementation`: "
                f"{type(layer).__name__} layer {layer.name!r} runs only "
                f"{', '.join(repr(i) for i in layer.implementations)}, got {implementation!r}."
            )
    for layer in found:
        layer.implementation = implementation


def _sequence_layers(layer):
    if isinstance(layer, CellRNN):
        yield layer
    elif isinstance(layer, keras.layers.Bidirectional):
        yield from _sequence_layers(layer.forward_layer)
        yield from _sequence_layers(layer.backward_layer)
    for child in getattr(layer, "layers", []):
        yield from _sequence_layers(child)
