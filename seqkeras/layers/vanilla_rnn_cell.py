"""The vanilla (Elman) recurrent cell."""

import keras
from keras import ops

from seqkeras.layers.dropout_masks import DropoutMaskMixin
from seqkeras.layers.dropout_masks import check_seed
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import check_rate


@keras.saving.register_keras_serializable(package="seqkeras")
class VanillaRNNCell(DropoutMaskMixin, keras.layers.Layer):
    """One step of a vanilla recurrent network.

    Computes `h[t] = activation(x[t] @ kernel + h[t-1] @ recurrent_kernel +
    bias)` and returns `h[t]` both as the output and as the new state. The
    weights have the layout of `keras.layers.SimpleRNNCell`, so
    `set_weights(keras_cell.get_weights())` works in both directions.

    Dropout is variational (one mask per sequence) when the cell runs inside
    `seqkeras.layers.VanillaRNN` or another seqkeras loop. Inside plain
    `keras.layers.RNN` a new mask is drawn at every step.

    Args:
        units: Positive integer, the size of the hidden state and output.
        activation: Activation applied to the new state. `None` means linear.
            Defaults to `"tanh"`.
        use_bias: Whether to add a bias vector. Defaults to `True`.
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
        recurrent_dropout: Float in [0, 1), fraction of the state units
            dropped before the recurrent product in training. Defaults to
            `0.0`.
        seed: Integer seed for the dropout masks. Defaults to `None`.
        **kwargs: Base layer arguments such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, features)`, the input of one step.
        states: The previous state: a tensor of shape `(batch, units)` or a
            list holding it.
        training: Whether dropout is applied. Defaults to `False`.

    Returns:
        A tuple `(output, new_states)`: `output` has shape `(batch, units)`
        and `new_states` is `[output]` (or `output` itself when `states` was
        given as a bare tensor).

    Raises:
        ValueError: If `units` is not a positive integer, if `dropout` or
            `recurrent_dropout` is not in [0, 1), if `seed` is not an
            integer or `None`, or if an activation, initializer or
            regularizer name is unknown.

    Example:

    ```python
    cell = seqkeras.layers.VanillaRNNCell(16)
    rnn = keras.layers.RNN(cell, return_sequences=True)
    outputs = rnn(np.zeros((8, 10, 4), "float32"))  # (8, 10, 16)
    ```

    References:
        - [Elman, 1990](https://doi.org/10.1207/s15516709cog1402_1),
          "Finding Structure in Time".
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
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
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
            )
        else:
            self.bias = None

    def call(self, inputs, states, training=False):
        state_is_list = isinstance(states, (list, tuple))
        h_prev = states[0] if state_is_list else states
        if training and self.dropout > 0:
            inputs = inputs * self.step_dropout_mask(inputs)
        if training and self.recurrent_dropout > 0:
            h_prev = h_prev * self.step_recurrent_dropout_mask(h_prev)
        z = ops.matmul(inputs, self.kernel)
        z = z + ops.matmul(h_prev, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        h = self.activation(z)
        return h, ([h] if state_is_list else h)

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
