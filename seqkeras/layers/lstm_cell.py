"""The long short-term memory (LSTM) cell."""

import keras
from keras import ops

from seqkeras.layers.dropout_masks import DropoutMaskMixin
from seqkeras.layers.dropout_masks import check_seed
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import check_rate


@keras.saving.register_keras_serializable(package="seqkeras")
class LSTMCell(DropoutMaskMixin, keras.layers.Layer):
    """One step of a long short-term memory network.

    With `z = x[t] @ kernel + h[t-1] @ recurrent_kernel + bias` split into four
    slices in Keras's gate order (i, f, c, o):

    ```
    i = recurrent_activation(z_i)    # input gate
    f = recurrent_activation(z_f)    # forget gate
    g = activation(z_c)              # candidate ("gate" g in the notes)
    o = recurrent_activation(z_o)    # output gate
    c[t] = f * c[t-1] + i * g
    h[t] = o * activation(c[t])
    ```

    The weights have the layout of `keras.layers.LSTMCell` (`kernel (D, 4H)`,
    `recurrent_kernel (H, 4H)`, `bias (4H,)`), so
    `set_weights(keras_cell.get_weights())` works in both directions.

    Dropout is variational (one mask per sequence) when the cell runs inside
    `seqkeras.layers.LSTM` or another seqkeras loop; inside plain
    `keras.layers.RNN` a new mask is drawn at every step. One input mask and
    one recurrent mask are shared by the four gates.

    Args:
        units: Positive integer, the size of the hidden and cell states.
        activation: Activation of the candidate `g` and of the cell state in
            the output. `None` means linear. Defaults to `"tanh"`.
        recurrent_activation: Activation of the gates i, f and o. Defaults to
            `"sigmoid"`.
        use_bias: Whether to add a bias vector. Defaults to `True`.
        kernel_initializer: Initializer for `kernel`, the input weights.
            Defaults to `"glorot_uniform"`.
        recurrent_initializer: Initializer for `recurrent_kernel`, the
            state-to-state weights. Defaults to `"orthogonal"`.
        bias_initializer: Initializer for `bias`. Defaults to `"zeros"`.
        unit_forget_bias: If `True`, the forget-gate slice of the bias starts
            at one, as in Keras (Jozefowicz et al., 2015), and the other
            slices come from `bias_initializer`. Defaults to `True`.
        kernel_regularizer: Regularizer for `kernel`. Defaults to `None`.
        recurrent_regularizer: Regularizer for `recurrent_kernel`. Defaults to
            `None`.
        bias_regularizer: Regularizer for `bias`. Defaults to `None`.
        dropout: Float in [0, 1), fraction of the input units dropped in
            training. Defaults to `0.0`.
        recurrent_dropout: Float in [0, 1), fraction of the units of `h[t-1]`
            dropped before the recurrent product in training. Defaults to
            `0.0`.
        seed: Integer seed for the dropout masks. Defaults to `None`.
        **kwargs: Base layer arguments such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, features)`, the input of one step.
        states: List `[h, c]` of the previous hidden and cell states, each of
            shape `(batch, units)`.
        training: Whether dropout is applied. Defaults to `False`.

    Returns:
        A tuple `(h, [h, c])` with the new hidden state `h` (also the output)
        and cell state `c`, each of shape `(batch, units)`.

    Raises:
        ValueError: If `units` is not a positive integer, if `dropout` or
            `recurrent_dropout` is not in [0, 1), if `seed` is not an
            integer or `None`, or if an activation, initializer or
            regularizer name is unknown.

    Example:

    ```python
    cell = seqkeras.layers.LSTMCell(16)
    rnn = keras.layers.RNN(cell, return_state=True)
    output, h, c = rnn(np.zeros((8, 10, 4), "float32"))  # each (8, 16)
    ```

    References:
        - [Hochreiter & Schmidhuber, 1997](
          https://doi.org/10.1162/neco.1997.9.8.1735),
          "Long Short-Term Memory".
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
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        units = check_positive_int("units", units)
        dropout = check_rate("dropout", dropout)
        recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 4 * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, 4 * self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(4 * self.units,),
                name="bias",
                initializer=self._full_bias_initializer,
                regularizer=self.bias_regularizer,
            )
        else:
            self.bias = None

    def _full_bias_initializer(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype=dtype)
        units = self.units
        return ops.concatenate(
            [
                self.bias_initializer((units,), dtype=dtype),
                ops.ones((units,), dtype=dtype),
                self.bias_initializer((2 * units,), dtype=dtype),
            ]
        )

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        if training and self.dropout > 0:
            inputs = inputs * self.step_dropout_mask(inputs)
        h_rec = h_prev
        if training and self.recurrent_dropout > 0:
            h_rec = h_prev * self.step_recurrent_dropout_mask(h_prev)
        z = ops.matmul(inputs, self.kernel)
        z = z + ops.matmul(h_rec, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        g = self.activation(z_c)
        o = self.recurrent_activation(z_o)
        c = f * c_prev + i * g
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        return [
            ops.zeros((batch_size, self.units), dtype=self.compute_dtype),
            ops.zeros((batch_size, self.units), dtype=self.compute_dtype),
        ]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
