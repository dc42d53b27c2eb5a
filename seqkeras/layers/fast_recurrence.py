"""The fast execution path of `seqkeras.layers.LSTM` and `VanillaRNN`.

The reference path (`keras.layers.RNN`'s loop) calls the cell at every step,
so each step multiplies the step's input by `kernel` and the state by
`recurrent_kernel`. The input product does not depend on the state, so the
fast path does it for all steps in one large matrix product before the loop,
bias included, and the loop keeps only `h @ recurrent_kernel` and the gate
activations. Same weights, same formulas; only the order of two additions
changes, which moves results by float rounding (~1e-7).

The input dropout mask is the same at every step of a sequence (variational
dropout), so it is applied to the whole sequence before the big product; the
recurrent mask is applied to `h` inside the loop, as the cell does.

The loop itself is `keras.layers.RNN`'s, run over a weightless cell that
does only the recurrent part of a step, so masking, `go_backwards`, `unroll`
and `zero_output_for_mask` keep Keras's exact semantics.
"""

import keras
from keras import ops


def run_fast_loop(layer, sequences, initial_state, mask, training):
    """`(last_output, outputs, final_states)` of `layer` over `sequences`.

    `layer` is a `CellRNN` whose cell is a `seqkeras.layers.LSTMCell` or
    `VanillaRNNCell`; its dropout masks, when training, were drawn before
    the call (see `dropout_masks.prepare_dropout_masks`).
    """
    cell = layer.cell
    if training and cell.dropout > 0:
        input_mask = cell.get_dropout_mask(sequences[:, 0])
        sequences = sequences * ops.expand_dims(input_mask, 1)
    # One 2-D product: a 3-D one by a 2-D kernel becomes a batched product
    # in TensorFlow, whose kernel gradient is a per-example product summed.
    batch_size, steps = ops.shape(sequences)[0], ops.shape(sequences)[1]
    projected = ops.matmul(
        ops.reshape(sequences, (-1, ops.shape(sequences)[2])), cell.kernel
    )
    projected = ops.reshape(projected, (batch_size, steps, -1))
    if cell.use_bias:
        projected = projected + cell.bias
    recurrent_mask = None
    if training and cell.recurrent_dropout > 0:
        recurrent_mask = cell.get_recurrent_dropout_mask(initial_state[0])
    step = _STEPS[len(initial_state)](cell, recurrent_mask)
    # `keras.layers.RNN`'s loop over a cell without weights that runs only
    # the recurrent part of a step: it brings masking, `go_backwards`,
    # `unroll` and `zero_output_for_mask` with Keras's exact semantics, and
    # a TensorFlow while loop that compiles with XLA (`keras.ops.scan`'s
    # gradient does not) and trained about 1.5x faster than it here.
    loop = keras.layers.RNN(
        _RecurrentStep(step, cell.state_size, cell.output_size),
        return_sequences=layer.return_sequences,
        go_backwards=layer.go_backwards,
        unroll=layer.unroll,
        zero_output_for_mask=layer.zero_output_for_mask,
        dtype=layer.dtype_policy,
    )
    return loop.inner_loop(projected, list(initial_state), mask, training)


class _RecurrentStep(keras.layers.Layer):
    """A weightless cell: `step(projected_t, states)`, the rest of a step."""

    def __init__(self, step, state_size, output_size):
        super().__init__(trainable=False)
        self.step = step
        self.state_size = state_size
        self.output_size = output_size
        self.built = True

    def call(self, projected_t, states):
        output, new_states = self.step(projected_t, tuple(states))
        return output, list(new_states)


def _lstm_step(cell, recurrent_mask):
    kernel = cell.recurrent_kernel
    activation = cell.activation
    gate = cell.recurrent_activation

    def step(projected_t, states):
        h, c = states
        if recurrent_mask is not None:
            h = h * recurrent_mask
        z = projected_t + ops.matmul(h, kernel)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        c = gate(z_f) * c + gate(z_i) * activation(z_c)
        h = gate(z_o) * activation(c)
        return h, (h, c)

    return step


def _vanilla_step(cell, recurrent_mask):
    kernel = cell.recurrent_kernel
    activation = cell.activation

    def step(projected_t, states):
        (h,) = states
        if recurrent_mask is not None:
            h = h * recurrent_mask
        h = activation(projected_t + ops.matmul(h, kernel))
        return h, (h,)

    return step


# Chosen by the number of states: the LSTM has [h, c], the vanilla RNN [h].
_STEPS = {1: _vanilla_step, 2: _lstm_step}
