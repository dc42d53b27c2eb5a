"""A recurrent decoder that attends to a memory at every step."""

import contextlib

import keras
from keras import ops
from keras import tree

from seqkeras.layers.dropout_masks import prepare_dropout_masks
from seqkeras.layers.dropout_masks import reset_dropout_masks
from seqkeras.layers.step_loop import run_step_loop
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_optional_positive_int

#: Activations of the attention layer `a_t = f(W_c [h_t; c_t])`: Luong et
#: al.'s tanh, or TensorFlow Addons' linear `attention_layer_size`.
ATTENTION_LAYER_ACTIVATIONS = ("tanh", "linear")


@keras.saving.register_keras_serializable(package="seqkeras")
class AttentionDecoder(keras.layers.Layer):
    """Runs a recurrent cell over target inputs, attending to a memory.

    At step `t` the cell reads the target input together with the previous
    step's attention vector ("input feeding", Luong et al. 2015), its output
    `h_t` queries the attention mechanism over the memory, and the step's
    output combines `h_t` with the context `c_t`:

    - without `attention_layer_units`: the output is `[h_t; c_t]` and the
      fed-back attention vector is `c_t`;
    - with `attention_layer_units=A`: the attention vector
      `a_t = tanh(W_c [h_t; c_t])` (Luong's attentional hidden state; a
      bias-free `Dense(A)` named `attention_layer`) is both the output and
      what is fed back; `attention_layer_activation="linear"` drops the
      `tanh`.

    With `attention_layer_units` and `attention_layer_activation="linear"`
    this is the loop of `tfa.seq2seq.AttentionWrapper(attention_layer_size=A)`
    (whose attention layer is linear, and whose default `output_attention=True`
    outputs `a_t`). The other settings differ from it: TFA's has no `tanh`,
    and without an attention layer TFA outputs the context `c_t` alone where
    this decoder outputs `[h_t; c_t]`. As in TFA, the query is the cell's new
    output `h_t` whichever attention mechanism is used.

    Keras 3's `keras.layers.RNN` has no `constants` argument to pass the
    memory to a cell, so the decoder runs its step function through Keras's
    recurrent loop (`seqkeras.layers.step_loop`, which compiles with XLA);
    `step()` runs one step on its own for token-by-token decoding with the
    same weights.

    The state is a flat list: the cell's states, flattened (for an LSTM
    `[h, c]`; for stacked cells each layer's in order), followed by the
    attention vector.

    Args:
        cell: A recurrent cell (`seqkeras.layers.LSTMCell`, `GRUCell`,
            `seqkeras.layers.VanillaRNNCell`, a Keras cell or
            `keras.layers.StackedRNNCells`), or a list of cells, which is
            stacked.
        attention: The attention mechanism, a layer with `project_memory` and
            `attend` methods: `seqkeras.layers.BahdanauAttention` or
            `seqkeras.layers.LuongAttention`.
        attention_layer_units: Optional positive integer, size of the
            attention vector `a_t`; see above. Defaults to `None`.
        attention_layer_activation: `"tanh"` (Luong et al.) or `"linear"`
            (TensorFlow Addons' `attention_layer_size`), the activation of
            the attention layer; only with `attention_layer_units`. Defaults
            to `"tanh"`.
        return_state: Boolean, whether to also return the final states.
            Defaults to `False`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Target inputs `(batch, target_steps, input_dim)`, for example
            embedded `<start>`-prefixed targets when teacher forcing.
        memory: The memory to attend to, `(batch, memory_steps, memory_dim)`,
            usually the encoder's outputs.
        initial_state: Optional list of initial states: the cell's states
            only (the attention vector then starts at zero), or the full state
            list as returned with `return_state=True`. Defaults to zeros.
        mask: Optional boolean `(batch, target_steps)`; masked steps leave
            the state unchanged and give zero outputs and alignments. Taken
            from the inputs' Keras mask when not given.
        memory_mask: Optional boolean `(batch, memory_steps)`; masked memory
            positions get zero attention. Taken from the memory's Keras mask
            when not given.
        training: Python boolean, passed to the cell (dropout).

    Returns:
        `(outputs, alignments)`, or `(outputs, alignments, states)` with
        `return_state=True`: `outputs` has shape
        `(batch, target_steps, output_dim)`, `alignments` (the alignment
        history) `(batch, target_steps, memory_steps)`, `states` is the list
        of final states.

    Raises:
        ValueError: if `cell` is not a recurrent cell, `attention` has no
            `project_memory`/`attend` methods, `attention_layer_units` is
            not a positive integer, or `attention_layer_activation` is not
            one of the two or is `"linear"` without `attention_layer_units`.

    Example:

    ```python
    decoder = seqkeras.layers.AttentionDecoder(
        seqkeras.layers.LSTMCell(32), seqkeras.layers.BahdanauAttention(16)
    )
    memory = keras.random.normal((2, 9, 24))
    targets = keras.random.normal((2, 5, 8))
    outputs, alignments = decoder(targets, memory)  # (2, 5, 56), (2, 5, 9)
    ```

    References:
        - [Bahdanau et al., 2015](https://arxiv.org/abs/1409.0473)
        - [Luong et al., 2015](https://arxiv.org/abs/1508.04025)
    """

    def __init__(
        self,
        cell,
        attention,
        attention_layer_units=None,
        attention_layer_activation="tanh",
        return_state=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = keras.layers.StackedRNNCells(list(cell))
        if not hasattr(cell, "state_size") or not callable(cell):
            raise ValueError(
                "Received an invalid value for `cell`: expected a recurrent "
                f"cell with a `state_size` attribute, got {cell!r}."
            )
        if not (hasattr(attention, "project_memory") and hasattr(attention, "attend")):
            raise ValueError(
                "Received an invalid value for `attention`: expected an "
                "attention layer with `project_memory` and `attend` methods "
                f"(such as seqkeras.layers.BahdanauAttention), got {attention!r}."
            )
        self.cell = cell
        self.attention = attention
        self.attention_layer_units = check_optional_positive_int(
            "attention_layer_units", attention_layer_units
        )
        self.attention_layer_activation = check_choice(
            "attention_layer_activation", attention_layer_activation, ATTENTION_LAYER_ACTIVATIONS
        )
        if self.attention_layer_units is None and attention_layer_activation != "tanh":
            raise ValueError(
                "Received an invalid value for `attention_layer_activation`: it is the "
                "activation of the attention layer, which `attention_layer_units` adds; "
                f"got {attention_layer_activation!r} with attention_layer_units=None."
            )
        self.return_state = bool(return_state)
        self.attention_layer = None
        self.memory_dim = None  # known once built
        if self.attention_layer_units is not None:
            self.attention_layer = keras.layers.Dense(
                self.attention_layer_units,
                activation=self.attention_layer_activation,
                use_bias=False,
                dtype=self.dtype_policy,
                name="attention_layer",
            )
        self.supports_masking = True
        self._cell_accepts_training = "training" in getattr(cell, "call_signature_parameters", [])

    # -- sizes -------------------------------------------------------------

    @property
    def cell_state_sizes(self):
        """Flat list of the sizes of the cell's states."""
        return tree.flatten(self.cell.state_size)

    @property
    def cell_output_size(self):
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = self.cell_state_sizes[0]
        return int(size)

    def state_sizes(self, memory_dim):
        """Sizes of the flat state list, for a memory of `memory_dim` features."""
        return self.cell_state_sizes + [self._attention_size(memory_dim)]

    def _attention_size(self, memory_dim):
        return self.attention_layer_units or memory_dim

    def _output_size(self, memory_dim):
        if self.attention_layer is not None:
            return self.attention_layer_units
        return self.cell_output_size + memory_dim

    # -- building ----------------------------------------------------------

    def build(self, inputs_shape, memory_shape=None):
        if memory_shape is None:
            raise ValueError(
                "AttentionDecoder is called as `decoder(inputs, memory)`; got no `memory`."
            )
        memory_dim = memory_shape[-1]
        self.memory_dim = memory_dim
        batch = inputs_shape[0]
        cell_input_dim = inputs_shape[-1] + self._attention_size(memory_dim)
        # Sublayers deserialized from a `.keras` file arrive built already
        # (keras-team/keras#19224); building them twice would add weights to
        # a locked layer.
        if not self.cell.built:
            self.cell.build((batch, cell_input_dim))
        if not self.attention.built:
            self.attention.build((batch, self.cell_output_size), memory_shape)
        if self.attention_layer is not None and not self.attention_layer.built:
            self.attention_layer.build((batch, self.cell_output_size + memory_dim))

    # -- states ------------------------------------------------------------

    def get_initial_state(self, batch_size, memory_dim=None):
        """Zero states for `batch_size` sequences, as a flat list.

        Args:
            batch_size: Integer or scalar tensor.
            memory_dim: Size of the memory's last axis; needed only when
                there is no `attention_layer_units` (the fed-back context then
                has the memory's size) and the layer is not built yet.
        """
        if memory_dim is None:
            memory_dim = self.memory_dim
        if memory_dim is None and self.attention_layer_units is None:
            raise ValueError(
                "AttentionDecoder.get_initial_state needs `memory_dim` (the "
                "memory's feature size) until the layer is built; got None."
            )
        get_cell_state = getattr(self.cell, "get_initial_state", None)
        if get_cell_state is not None:
            cell_states = tree.flatten(get_cell_state(batch_size=batch_size))
        else:
            cell_states = [
                ops.zeros((batch_size, size), dtype=self.compute_dtype)
                for size in self.cell_state_sizes
            ]
        attention = ops.zeros(
            (batch_size, self._attention_size(memory_dim)), dtype=self.compute_dtype
        )
        return [*cell_states, attention]

    def _complete_initial_state(self, initial_state, batch_size, memory_dim):
        zeros = self.get_initial_state(batch_size, memory_dim)
        if initial_state is None:
            return zeros
        initial_state = list(tree.flatten(initial_state))
        n_cell_states = len(self.cell_state_sizes)
        if len(initial_state) == n_cell_states:
            return initial_state + [zeros[-1]]
        if len(initial_state) == n_cell_states + 1:
            return initial_state
        raise ValueError(
            "Received an invalid value for `initial_state`: expected "
            f"{n_cell_states} cell state(s) (sizes {self.cell_state_sizes}), "
            f"optionally followed by the attention vector; got "
            f"{len(initial_state)} tensor(s)."
        )

    # -- the step and the loop --------------------------------------------

    def step(self, inputs, states, memory, keys=None, memory_mask=None, training=None):
        """Runs one decoder step.

        Args:
            inputs: Tensor `(batch, input_dim)`, the step's target input.
            states: Flat list of states (see the class docstring).
            memory: Tensor `(batch, memory_steps, memory_dim)`.
            keys: Optional result of `attention.project_memory(memory,
                memory_mask)`; computed here when not given. Pass it when
                calling `step` in a loop to project the memory only once.
            memory_mask: Optional boolean `(batch, memory_steps)`.
            training: Python boolean, passed to the cell.

        Returns:
            `(output, new_states, alignments)` with `output`
            `(batch, output_dim)` and `alignments` `(batch, memory_steps)`.
        """
        if keys is None:
            keys = self.attention.project_memory(memory, memory_mask)
        cell_states = self._pack_cell_states(states[:-1])
        cell_input = ops.concatenate([inputs, states[-1]], axis=-1)
        kwargs = {"training": training} if self._cell_accepts_training else {}
        cell_output, new_cell_states = self.cell(cell_input, cell_states, **kwargs)
        context, alignments = self.attention.attend(cell_output, memory, keys, memory_mask)
        combined = ops.concatenate([cell_output, context], axis=-1)
        if self.attention_layer is not None:
            attention = self.attention_layer(combined)
            output = attention
        else:
            attention, output = context, combined
        new_states = [*tree.flatten(new_cell_states), attention]
        return output, new_states, alignments

    @contextlib.contextmanager
    def dropout_masks_for_loop(self, first_inputs, states, training):
        """The cell's dropout masks, drawn once for a loop of `step` calls.

        A loop over the steps of a sequence (this layer's `call`, or one of
        a subclass such as scheduled sampling's) wraps itself in this block
        so that, in training, every step drops the same units, as Keras's
        recurrent layers do; after the block the cell draws afresh.

        Args:
            first_inputs: The first step's inputs, `(batch, input_dim)`.
            states: The loop's initial states, as `step` takes them.
            training: Python boolean; no masks are drawn when it is false.
        """
        if training:
            first_cell_input = ops.concatenate([first_inputs, states[-1]], axis=-1)
            prepare_dropout_masks(self.cell, first_cell_input, self._pack_cell_states(states[:-1]))
        try:
            yield
        finally:
            reset_dropout_masks(self.cell)

    def _pack_cell_states(self, flat_states):
        structure = self.cell.state_size
        if not tree.is_nested(structure):
            structure = [structure]
        return tree.pack_sequence_as(structure, list(flat_states))

    def call(
        self,
        inputs,
        memory,
        initial_state=None,
        mask=None,
        memory_mask=None,
        training=None,
    ):
        mask = _target_mask(inputs, mask)
        batch_size = ops.shape(inputs)[0]
        memory_dim = memory.shape[-1]
        states = self._complete_initial_state(initial_state, batch_size, memory_dim)
        keys = self.attention.project_memory(memory, memory_mask)

        def loop_step(x_t, step_states):
            output, new_states, alignments = self.step(
                x_t, list(step_states), memory, keys, memory_mask, training
            )
            return (output, alignments), new_states

        with self.dropout_masks_for_loop(inputs[:, 0], states, training):
            # Masked steps keep the states and output zeros (outputs and
            # alignments alike): the loop's `zero_output_for_mask`.
            _, (outputs, alignments), final_states = run_step_loop(
                loop_step,
                inputs,
                states,
                None if mask is None else ops.cast(mask, "bool"),
                state_size=self.state_sizes(memory_dim),
                dtype=self.dtype_policy,
            )
        if self.return_state:
            return outputs, alignments, list(final_states)
        return outputs, alignments

    def compute_mask(self, inputs, memory=None, initial_state=None, mask=None, memory_mask=None):
        # Target steps stay masked in the outputs and alignments.
        mask = _target_mask(inputs, mask)
        if self.return_state:
            return [mask, mask, [None] * (len(self.cell_state_sizes) + 1)]
        return [mask, mask]

    def compute_output_spec(
        self, inputs, memory, initial_state=None, mask=None, memory_mask=None, training=None
    ):
        batch, steps = inputs.shape[0], inputs.shape[1]
        memory_dim = memory.shape[-1]
        dtype = self.compute_dtype
        outputs = keras.KerasTensor((batch, steps, self._output_size(memory_dim)), dtype=dtype)
        alignments = keras.KerasTensor((batch, steps, memory.shape[1]), dtype=dtype)
        if not self.return_state:
            return outputs, alignments
        states = [
            keras.KerasTensor((batch, size), dtype=dtype) for size in self.state_sizes(memory_dim)
        ]
        return outputs, alignments, states

    def get_config(self):
        config = {
            "cell": keras.saving.serialize_keras_object(self.cell),
            "attention": keras.saving.serialize_keras_object(self.attention),
            "attention_layer_units": self.attention_layer_units,
            "attention_layer_activation": self.attention_layer_activation,
            "return_state": self.return_state,
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cell"] = keras.saving.deserialize_keras_object(config["cell"])
        config["attention"] = keras.saving.deserialize_keras_object(config["attention"])
        return cls(**config)


def _target_mask(inputs, mask):
    # Keras fills `mask` from the first input only for single-input layers;
    # with the memory as a second input, read the mask the input carries (the
    # attribute Keras's masking guide documents).
    if mask is None:
        mask = getattr(inputs, "_keras_mask", None)
    return mask
