"""The GRU sequence layer."""

import keras

from seqkeras.layers.cell_rnn import CellRNN
from seqkeras.layers.cell_rnn import cell_attribute
from seqkeras.layers.gru_cell import GRUCell


@keras.saving.register_keras_serializable(package="seqkeras")
class GRU(CellRNN):
    """Gated recurrent unit layer: `seqkeras.layers.GRUCell` over time.

    A `keras.layers.RNN` built from the cell's arguments, used like
    `keras.layers.GRU` and with the same weights. Dropout masks are drawn
    once per sequence and reused at every step (variational dropout).

    Args:
        units: Positive integer, the size of the hidden state.
        activation: Activation of the candidate. `None` means linear.
            Defaults to `"tanh"`.
        recurrent_activation: Activation of the update and reset gates.
            Defaults to `"sigmoid"`.
        use_bias: Whether to add bias vectors. Defaults to `True`.
        kernel_initializer: Initializer for the input weights. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: Initializer for the state-to-state weights.
            Defaults to `"orthogonal"`.
        bias_initializer: Initializer for the bias. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer for the input weights. Defaults to
            `None`.
        recurrent_regularizer: Regularizer for the state-to-state weights.
            Defaults to `None`.
        bias_regularizer: Regularizer for the bias. Defaults to `None`.
        dropout: Float in [0, 1), fraction of the input units dropped in
            training. Defaults to `0.0`.
        recurrent_dropout: Float in [0, 1), fraction of the hidden-state
            units dropped before the recurrent product in training.
            Defaults to `0.0`.
        reset_after: Apply the reset gate after the recurrent product, with
            a separate recurrent bias (Keras's default); `False` applies it
            before (Cho et al.). Defaults to `True`.
        seed: Integer seed for the dropout masks. Defaults to `None`.
        return_sequences: Return the output of every step, `(batch, time,
            units)`, instead of the last one. Defaults to `False`.
        return_state: Also return the final state `h`. Defaults to `False`.
        go_backwards: Read the sequence from its end; with
            `return_sequences` the outputs come in reversed order. Defaults
            to `False`.
        stateful: Carry the final state of a batch over as the initial
            state of the next one (needs a fixed batch size), until
            `reset_states()`. Defaults to `False`.
        unroll: Unroll the loop in the graph instead of a symbolic loop;
            only for short, fixed-length sequences. Defaults to `False`.
        implementation: The kernel: `"auto"` picks the fastest one that
            runs the configuration on the device at each call (cuDNN, the
            XLA-compiled fast loops, or the reference loop; the rules are in
            `seqkeras/layers/kernels/kernel_choice.py`); `"reference"`, `"fast"`,
            `"xla"` or `"cudnn"` ask for one. Same weights and results to
            float rounding; `layer.kernel_choice` says what the last call ran
            and why; exports trace the portable loop. Defaults to `"auto"`.
        **kwargs: Base layer arguments (`name`, `dtype`, ...) and
            `zero_output_for_mask` of `keras.layers.RNN`.

    Call arguments:
        sequences: Tensor of shape `(batch, time, features)`.
        initial_state: Optional list `[h]` with the initial state `(batch,
            units)`. Defaults to zeros.
        mask: Optional boolean tensor `(batch, time)`; `False` steps are
            skipped (state carried over unchanged). Passed automatically
            after a masking layer such as `Embedding(mask_zero=True)`,
            also when `initial_state` is given.
        training: Whether dropout is applied. Defaults to `False`.

    Returns:
        The last output `(batch, units)`, or all outputs `(batch, time,
        units)` with `return_sequences`; with `return_state`, a list
        `[output, h]`.

    Raises:
        ValueError: If `units` is not a positive integer, if `dropout` or
            `recurrent_dropout` is not in [0, 1), if `reset_after` is not a
            boolean, if `seed` is not an integer or `None`, if an
            activation, initializer or regularizer name is unknown, or if
            `implementation` is unknown, or if it is `"fast"`, `"xla"` or
            `"cudnn"` and that kernel cannot run the configuration.

    Example:

    ```python
    inputs = keras.Input((None, 8))
    outputs = seqkeras.layers.GRU(32, dropout=0.2)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(outputs))
    ```

    References:
        - [Cho et al., 2014](https://arxiv.org/abs/1406.1078), "Learning
          Phrase Representations using RNN Encoder-Decoder for Statistical
          Machine Translation".
        - [Gal & Ghahramani, 2016](https://arxiv.org/abs/1512.05287),
          variational dropout in recurrent networks.
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        implementation="auto",
        **kwargs,
    ):
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            reset_after=reset_after,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            implementation=implementation,
            **kwargs,
        )

    units = cell_attribute("units")
    activation = cell_attribute("activation")
    recurrent_activation = cell_attribute("recurrent_activation")
    use_bias = cell_attribute("use_bias")
    kernel_initializer = cell_attribute("kernel_initializer")
    recurrent_initializer = cell_attribute("recurrent_initializer")
    bias_initializer = cell_attribute("bias_initializer")
    kernel_regularizer = cell_attribute("kernel_regularizer")
    recurrent_regularizer = cell_attribute("recurrent_regularizer")
    bias_regularizer = cell_attribute("bias_regularizer")
    dropout = cell_attribute("dropout")
    recurrent_dropout = cell_attribute("recurrent_dropout")
    reset_after = cell_attribute("reset_after")
    seed = cell_attribute("seed")
