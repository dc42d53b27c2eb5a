"""Base class of seqkeras's sequence layers (`VanillaRNN`, `LSTM`, `GRU`)."""

import logging

import keras
from keras import ops

from seqkeras.layers.dropout_masks import prepare_dropout_masks
from seqkeras.layers.dropout_masks import reset_dropout_masks
from seqkeras.layers.kernels.fast_recurrence import run_fast_loop
from seqkeras.layers.kernels.fast_recurrence import with_input_dropout
from seqkeras.layers.kernels.kernel_choice import IMPLEMENTATIONS
from seqkeras.layers.kernels.kernel_choice import KernelChoice
from seqkeras.layers.kernels.kernel_choice import choose_kernel
from seqkeras.utils.arguments import check_choice

logger = logging.getLogger(__name__)


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

    - `implementation`: the kernel, or `"auto"` to pick the fastest one
      that runs the configuration on the device (`kernel_choice`): cuDNN,
      XLA-compiled loops, the fast loop of `fast_recurrence` (input product
      for all steps before the loop, only the recurrent product inside), or
      `keras.layers.RNN`'s loop calling the cell at every step. Same
      weights and results (to float rounding). After a call,
      `kernel_choice` says which kernel ran and why.

    A subclass's `__init__` builds its cell from its arguments and passes it
    on, and exposes the cell's arguments with `cell_attribute`.
    """

    implementations = IMPLEMENTATIONS

    def __init__(self, cell, implementation="auto", **kwargs):
        implementation = check_choice("implementation", implementation, self.implementations)
        super().__init__(cell, **kwargs)
        self.implementation = implementation
        self.kernel_choice = None
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
        choice = choose_kernel(
            self,
            training=training,
            gpu=_gpu_available(),
            batch_size=sequences.shape[0],
            steps=sequences.shape[1],
        )
        self.kernel_choice = choice
        logger.debug(
            "%s %r runs %s: %s", type(self).__name__, self.name, choice.kernel, choice.reason
        )
        if choice.kernel == "cudnn":
            return self._cudnn_loop(sequences, initial_state, mask, training)
        return self._run(choice, sequences, initial_state, mask, training)

    def _run(self, choice, sequences, initial_state, mask, training):
        if choice.up_to_batch is None:
            return self._loop(choice.kernel, sequences, initial_state, mask, training)
        # The batch size is known only as the model runs: both loops are in
        # the graph, and the batch picks one.
        import tensorflow as tf

        def loop(kernel):
            return self._shaped(self._loop(kernel, sequences, initial_state, mask, training))

        return tf.cond(
            tf.shape(sequences)[0] <= choice.up_to_batch,
            lambda: loop(choice.kernel),
            lambda: loop("reference"),
        )

    def _shaped(self, results):
        # The branches of a `tf.cond` between kernels give the same structure.
        last, outputs, states = results
        return last, outputs if self.return_sequences else last, list(states)

    def _loop(self, kernel, sequences, initial_state, mask, training):
        if kernel == "reference":
            return super().inner_loop(sequences, initial_state, mask, training=training)
        return run_fast_loop(
            self, sequences, initial_state, mask, training, compiled=kernel == "xla"
        )

    def _cudnn_loop(self, sequences, initial_state, mask, training):
        import tensorflow as tf

        from seqkeras.layers.kernels import tensorflow_kernels

        kind = type(self).__name__.lower()
        dropped = with_input_dropout(self.cell, sequences, training)

        def cudnn():
            return self._shaped(
                tensorflow_kernels.run_cudnn(
                    kind,
                    dropped,
                    initial_state,
                    mask,
                    self.cell,
                    go_backwards=self.go_backwards,
                    zero_output_for_mask=self.zero_output_for_mask,
                )
            )

        if mask is None:
            return cudnn()
        # A mask cuDNN cannot run (left padding, holes, an empty sequence)
        # takes the loop `auto` would take without a GPU.
        fallback = KernelChoice("reference", "a mask cuDNN cannot run")
        if self.implementation == "auto":
            fallback = choose_kernel(
                self,
                training=training,
                gpu=False,
                batch_size=sequences.shape[0],
                steps=sequences.shape[1],
            )

        def loop():
            return self._shaped(self._run(fallback, sequences, initial_state, mask, training))

        return tf.cond(tensorflow_kernels.cudnn_mask_fits(mask), cudnn, loop)

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


def _gpu_available():
    if keras.backend.backend() != "tensorflow":
        return False
    from seqkeras.layers.kernels.tensorflow_kernels import gpu_available

    return gpu_available()


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
        implementation: One of `IMPLEMENTATIONS`: `"auto"`, `"reference"`,
            `"fast"`, `"xla"` or `"cudnn"` (see `kernel_choice`).

    Raises:
        ValueError: If `implementation` is unknown, or if a layer of `model`
            does not have it (`GRU` has no `"fast"` or `"xla"` loop).
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
