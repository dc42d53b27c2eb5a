"""The gated recurrent unit (GRU) cell."""

import keras
from keras import ops

from seqkeras.layers.dropout_masks import DropoutMaskMixin
from seqkeras.layers.dropout_masks import check_seed
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import check_rate
from seqkeras.utils.arguments import invalid


@keras.saving.register_keras_serializable(package="seqkeras")
class GRUCell(DropoutMaskMixin, keras.layers.Layer):
    """One step of a gated recurrent unit network.

    With `x_z, x_r, x_h = x[t] @ kernel + b_x` and, with `reset_after=True`,
    `u_z, u_r, u_h = h[t-1] @ recurrent_kernel + b_h`, split into three
    slices in Keras's gate order (z, r, h):

    ```
    z = recurrent_activation(x_z + u_z)            # update gate
    r = recurrent_activation(x_r + u_r)            # reset gate
    n = activation(x_h + r * u_h)                  # candidate
    h[t] = z * h[t-1] + (1 - z) * n
    ```

    With `reset_after=False` (Cho et al.'s original form) the reset gate acts
    before the product: `n = activation(x_h + (r * h[t-1]) @ U_h)`, and there
    is one bias `b_x` only.

    The weights have the layout of `keras.layers.GRUCell` (`kernel (D, 3H)`,
    `recurrent_kernel (H, 3H)`, `bias (2, 3H)` with rows `b_x` and `b_h`, or
    `(3H,)` with `reset_after=False`), so
    `set_weights(keras_cell.get_weights())` works in both directions.

    Dropout is variational (one mask per sequence) when the cell runs inside
    `seqkeras.layers.GRU` or another seqkeras loop; inside plain
    `keras.layers.RNN` a new mask is drawn at every step. One input mask and
    one recurrent mask are shared by the three slices. The recurrent mask
    drops units of `h[t-1]` in the recurrent product only; the carried state
    `z * h[t-1]` keeps every unit.

    Args:
        units: Positive integer, the size of the hidden state.
        activation: Activation of the candidate `n`. `None` means linear.
            Defaults to `"tanh"`.
        recurrent_activation: Activation of the gates z and r. Defaults to
            `"sigmoid"`.
        use_bias: Whether to add bias vectors. Defaults to `True`.
        kernel_initializer: Initializer for `kernel`, the input weights.
            Defaults to `"glorot_uniform"`.
        recurrent_initializer: Initializer for `recurrent_kernel`, the
            state-to-state weights. Defaults to `"orthogonal"`.
        bias_initializer: Initializer for `bias`. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer for `kernel`. Defaults to `None`.
        recurrent_regularizer: Regularizer for `recurrent_kernel`. Defaults to
            `None`.
        bias_regularizer: Regularizer for `bias`. Defaults to `None`.
        dropout: Float in [0, 1), fraction of the input units dropped in
            training. Defaults to `0.0`.
        recurrent_dropout: Float in [0, 1), fraction of the units of `h[t-1]`
            dropped before the recurrent product in training. Defaults to
            `0.0`.
        reset_after: Apply the reset gate after the recurrent product (the
            form of Keras's default and of cuDNN), with a separate recurrent
            bias; `False` applies it before. Defaults to `True`.
        seed: Integer seed for the dropout masks. Defaults to `None`.
        **kwargs: Base layer arguments such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, features)`, the input of one step.
        states: List `[h]` with the previous hidden state `(batch, units)`.
        training: Whether dropout is applied. Defaults to `False`.

    Returns:
        A tuple `(h, [h])` with the new hidden state `h` (also the output),
        of shape `(batch, units)`.

    Raises:
        ValueError: If `units` is not a positive integer, if `dropout` or
            `recurrent_dropout` is not in [0, 1), if `reset_after` is not a
            boolean, if `seed` is not an integer or `None`, or if an
            activation, initializer or regularizer name is unknown.

    Example:

    ```python
    cell = seqkeras.layers.GRUCell(16)
    rnn = keras.layers.RNN(cell, return_state=True)
    output, h = rnn(np.zeros((8, 10, 4), "float32"))  # each (8, 16)
    ```

    References:
        - [Cho et al., 2014](https://arxiv.org/abs/1406.1078), "Learning
          Phrase Representations using RNN Encoder-Decoder for Statistical
          Machine Translation".
        - [Chung et al., 2014](https://arxiv.org/abs/1412.3555), "Empirical
          Evaluation of Gated Recurrent Neural Networks on Sequence
          Modeling".
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
        **kwargs,
    ):
        units = check_positive_int("units", units)
        dropout = check_rate("dropout", dropout)
        recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        if not isinstance(reset_after, bool):
            raise invalid("reset_after", "True or False", reset_after)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.reset_after = reset_after
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 3 * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, 3 * self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
        )
        if self.use_bias:
            # Keras's layout: with reset_after, row 0 is the input bias and
            # row 1 the recurrent bias.
            shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
            self.bias = self.add_weight(
                shape=shape,
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
            )
        else:
            self.bias = None

    def call(self, inputs, states, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        if training and self.dropout > 0:
            inputs = inputs * self.step_dropout_mask(inputs)
        h_rec = h_prev
        if training and self.recurrent_dropout > 0:
            h_rec = h_prev * self.step_recurrent_dropout_mask(h_prev)
        x = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            x = x + (self.bias[0] if self.reset_after else self.bias)
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)
        units = self.units
        if self.reset_after:
            u = ops.matmul(h_rec, self.recurrent_kernel)
            if self.use_bias:
                u = u + self.bias[1]
            u_z, u_r, u_h = ops.split(u, 3, axis=-1)
            z = self.recurrent_activation(x_z + u_z)
            r = self.recurrent_activation(x_r + u_r)
            n = self.activation(x_h + r * u_h)
        else:
            u = ops.matmul(h_rec, self.recurrent_kernel[:, : 2 * units])
            u_z, u_r = ops.split(u, 2, axis=-1)
            z = self.recurrent_activation(x_z + u_z)
            r = self.recurrent_activation(x_r + u_r)
            n = self.activation(x_h + ops.matmul(r * h_rec, self.recurrent_kernel[:, 2 * units :]))
        h = z * h_prev + (1.0 - z) * n
        return h, [h]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "reset_after": self.reset_after,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
