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

Two loops:

- with the default activations (tanh, and sigmoid gates) and float32,
  masked or not, `_bptt_loop`: a time-major `keras.ops.scan` with a
  hand-written backward pass (one product per step backwards, the kernel's
  gradient as one large product after the loop);
- otherwise (other activations, `unroll=True`, mixed precision),
  `keras.layers.RNN`'s own loop over a function that does only the
  recurrent part of a step (`step_loop`), so masking, `go_backwards`,
  `unroll` and `zero_output_for_mask` keep Keras's exact semantics;
  autodiff gives the gradient.

Measured on a shared 2-core CPU (benchmarks/rnn_speed.py,
benchmarks/pipeline_speed.py, docs/speed.md), the gain depends on the shape.
Where the loop's per-step overhead dominates (small batches, long
sequences: the character LM, batch 32, 100 steps, 256 units) the fast path
trained 1.6x faster than the reference path end to end. At batch 64 it was
about 1.2x faster; with large batches of short sequences (seq2seq encoders,
batch 256, 10 steps) it was 10-30% slower, as the sequence-sized tensors it
moves (the hoisted product, the saved activations) cost more than the
per-step work it saves. So the layers default to
`implementation="reference"`, and a pipeline picks the fast path with
`model.implementation: fast`.

Neither path uses cuDNN on a GPU: Keras reaches cuDNN only through a
private backend function (`keras.src.backend...lstm`) and TensorFlow's raw
cuDNN ops are not `keras.ops`; both are off limits to seqkeras's layers.
On a GPU the fast path runs one large input product and one recurrent
product per step in a while loop; `keras.layers.LSTM` with cuDNN will be
faster there.
"""

import functools

import keras
import numpy as np
from keras import ops

from seqkeras.layers.step_loop import run_step_loop


def run_fast_loop(layer, sequences, initial_state, mask, training, compiled=False):
    """`(last_output, outputs, final_states)` of `layer` over `sequences`.

    With `compiled` (TensorFlow backend), the hand-written BPTT loops run
    XLA-compiled (`tensorflow_kernels.compiled`).

    `layer` is a `CellRNN` whose cell is a `seqkeras.layers.LSTMCell` or
    `VanillaRNNCell`; its dropout masks, when training, were drawn before
    the call (see `dropout_masks.prepare_dropout_masks`).
    """
    cell = layer.cell
    if training and cell.dropout > 0:
        input_mask = cell.get_dropout_mask(sequences[:, 0])
        sequences = sequences * ops.expand_dims(input_mask, 1)
    # One 2-D product over time-major rows: the loop reads the sequence
    # time-major, so transposing the narrow inputs here lets the transpose
    # back (below) cancel the loop's own (TensorFlow folds the pair).
    steps, batch_size = ops.shape(sequences)[1], ops.shape(sequences)[0]
    time_major = ops.transpose(sequences, (1, 0, 2))
    projected = ops.matmul(ops.reshape(time_major, (-1, ops.shape(sequences)[2])), cell.kernel)
    if cell.use_bias:
        projected = projected + cell.bias
    # The last size stays static: the step's input channels are split by it.
    projected = ops.reshape(projected, (steps, batch_size, cell.kernel.shape[-1]))
    recurrent_mask = None
    if training and cell.recurrent_dropout > 0:
        recurrent_mask = cell.get_recurrent_dropout_mask(initial_state[0])
    if _bptt_applies(layer):
        return _bptt_loop(layer, projected, initial_state, recurrent_mask, mask, compiled)
    projected = ops.transpose(projected, (1, 0, 2))
    step = _STEPS[len(initial_state)](cell, recurrent_mask)
    # `keras.layers.RNN`'s loop over a cell without weights that runs only
    # the recurrent part of a step: it brings masking, `go_backwards`,
    # `unroll` and `zero_output_for_mask` with Keras's exact semantics, and
    # a TensorFlow while loop that compiles with XLA (`keras.ops.scan`'s
    # gradient does not) and trained about 1.5x faster than it here.
    return run_step_loop(
        step,
        projected,
        initial_state,
        mask,
        state_size=cell.state_size,
        return_sequences=layer.return_sequences,
        go_backwards=layer.go_backwards,
        unroll=layer.unroll,
        zero_output_for_mask=layer.zero_output_for_mask,
        dtype=layer.dtype_policy,
    )


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


def _bptt_applies(layer):
    """Whether `_bptt_loop` knows the derivatives of the layer's step."""
    cell = layer.cell
    lstm = hasattr(cell, "recurrent_activation")
    return (
        not layer.unroll
        and cell.compute_dtype == "float32"
        and cell.activation is keras.activations.tanh
        and (not lstm or cell.recurrent_activation is keras.activations.sigmoid)
    )


def _bptt_loop(layer, projected, initial_state, recurrent_mask, mask=None, compiled=False):
    """The loop with a hand-written backward pass (BPTT).

    `projected` is time-major. Autodiff of the loop multiplies by
    `recurrent_kernel` twice per step backwards (for the state's and for
    the kernel's gradient) and sends the gradient of each step's input back
    through the list the loop reads. Here the backward loop does one product
    per step (the state's gradient) and emits each step's pre-activation
    gradient; the kernel's gradient is one large product over all steps
    after it, as cuDNN and PyTorch do. Both loops run time-major, so no
    sequence-sized tensor is transposed.

    With a `mask` (batch-major, boolean), a masked step keeps the states and
    outputs zeros (`zero_output_for_mask`) or the carried state, as Keras's
    loop does; backwards, the state's gradient passes a masked step
    unchanged and the step's own gradient is zero.

    With `compiled` (TensorFlow backend only), the forward and the backward
    loop each run as an XLA-compiled function (`tensorflow_kernels.compiled`); only
    plain tensors cross between them, through the custom gradient.
    """
    cell = layer.cell
    units = cell.units
    zero_output = layer.zero_output_for_mask
    # A tensor, not the variable: the custom gradient returns its gradient.
    recurrent_kernel = ops.copy(cell.recurrent_kernel)
    if layer.go_backwards:
        projected = ops.flip(projected, axis=0)
    keep = None
    if mask is not None:
        # (steps, batch, 1), a float channel that rides with the inputs.
        keep = ops.expand_dims(ops.transpose(ops.cast(mask, projected.dtype)), -1)
        if layer.go_backwards:
            keep = ops.flip(keep, axis=0)
        # Where the outputs show the carried state: at unmasked steps with
        # `zero_output_for_mask`; otherwise from the first unmasked step on
        # (Keras's loop repeats its last output, which starts at zeros, not
        # at the initial state).
        shown = keep if zero_output else ops.cast(ops.cumsum(keep, axis=0) > 0.5, keep.dtype)
    forward = functools.partial(forward_loop, units=units)
    backward = functools.partial(backward_loop, units=units)
    if compiled:
        from seqkeras.layers.tensorflow_kernels import compiled

        forward = compiled(forward_loop, units=units)
        backward = compiled(backward_loop, units=units)

    @ops.custom_gradient
    def run(projected, kernel, *states):
        final, saved = forward(projected, kernel, tuple(states), keep, recurrent_mask)
        outputs = saved[0]
        if mask is not None:
            outputs = outputs * shown

        def grad(d_outputs, *d_final, upstream=None):
            d_final = [ops.zeros_like(s) if d is None else d for d, s in zip(d_final, final)]
            if d_outputs is None:
                d_outputs = ops.zeros_like(saved[0])
            if mask is not None:
                d_outputs = d_outputs * shown
            dz, d_initial = backward(
                d_outputs, tuple(d_final), kernel, tuple(states), saved, keep, recurrent_mask
            )
            h_prev = ops.concatenate([ops.expand_dims(states[0], 0), saved[0][:-1]], axis=0)
            if recurrent_mask is not None:
                h_prev = h_prev * recurrent_mask
            d_kernel = ops.matmul(
                ops.transpose(ops.reshape(h_prev, (-1, units))),
                ops.reshape(dz, (-1, ops.shape(dz)[-1])),
            )
            return (dz, d_kernel, *d_initial)

        return (outputs, *final), grad

    outputs, *final = run(projected, recurrent_kernel, *initial_state)
    # Keras's loop returns the last step's output, zeros where that step is
    # masked and `zero_output_for_mask` is on.
    last = outputs[-1] if mask is not None else final[0]
    if layer.return_sequences:
        outputs = ops.transpose(outputs, (1, 0, 2))
    else:
        outputs = last
    return last, outputs, list(final)


def _step_inputs(sequences, sizes, keep):
    # The step's mask (when there is one) is the last input of a step. The
    # sizes are given: a compiled loop is traced with unknown shapes.
    if keep is not None:
        sequences, sizes = (*sequences, keep), (*sizes, 1)
    return _pack(sequences), sizes


def forward_loop(projected, kernel, states, keep, recurrent_mask, *, units):
    """`(final_states, saved)` of the forward loop over time-major `projected`.

    `saved` holds, per step, the output state `h`, and for the LSTM also the
    cell state `c` and the gate activations `[i, f, g, o]`: what the
    backward loop reads.
    """
    lstm = len(states) == 2
    gates = 4 * units if lstm else units
    forward_inputs, sizes = _step_inputs((projected,), (gates,), keep)

    def forward_step(carry, inputs):
        # The carry holds the step's activations too, so the scan
        # (which stacks values shaped like the carry) saves them.
        projected_t, *keep_t = _unpack(inputs, sizes)
        h = carry[0] if recurrent_mask is None else carry[0] * recurrent_mask
        z = projected_t + ops.matmul(h, kernel)
        if not lstm:
            new = (ops.tanh(z),)
        else:
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
            i, f, o = ops.sigmoid(z_i), ops.sigmoid(z_f), ops.sigmoid(z_o)
            g = ops.tanh(z_c)
            c = f * carry[1] + i * g
            new = (o * ops.tanh(c), c)
        if keep_t:
            new = tuple(ops.where(keep_t[0] > 0.5, n, old) for n, old in zip(new, carry))
        if lstm:
            new += (ops.concatenate([i, f, g, o], axis=-1),)
        return new, new

    init = tuple(states)
    if lstm:
        init += (ops.zeros_like(projected[0]),)
    final, saved = ops.scan(forward_step, init, forward_inputs)
    return tuple(final[: len(states)]), tuple(saved)


def backward_loop(d_outputs, d_final, kernel, states, saved, keep, recurrent_mask, *, units):
    """`(dz, d_initial_states)`: the backward loop of `forward_loop`.

    `dz` is the gradient of every step's pre-activation (time-major), which
    is also the gradient of `projected`.
    """
    lstm = len(states) == 2
    transposed = ops.transpose(kernel)

    def masked(h):
        return h if recurrent_mask is None else h * recurrent_mask

    def backward_step(carry, inputs):
        inputs = _unpack(inputs, sizes)
        # The gradient of the step's output state, and the part of it
        # that passes a masked step to the previous state unchanged.
        dh = inputs[0] + carry[0]
        keep_t = inputs[-1] if keep is not None else None
        if keep_t is not None:
            dh, dh_passed = dh * keep_t, dh * (1.0 - keep_t)
        if not lstm:
            dz = dh * (1.0 - inputs[1] * inputs[1])
            dh_previous = masked(ops.matmul(dz, transposed))
            if keep_t is not None:
                dh_previous = dh_previous + dh_passed
            return (dh_previous, dz), (carry[0], dz)
        # Where the step is masked, dh and dc are zero here, so the
        # carried c stands in for the step's own c.
        _, c, gates, c_prev = inputs[1:5]
        i, f, g, o = ops.split(gates, 4, axis=-1)
        tanh_c = ops.tanh(c)
        dc = carry[1]
        if keep_t is not None:
            dc, dc_passed = dc * keep_t, dc * (1.0 - keep_t)
        dc = dc + dh * o * (1.0 - tanh_c * tanh_c)
        dz = ops.concatenate(
            [
                dc * g * i * (1.0 - i),
                dc * c_prev * f * (1.0 - f),
                dc * i * (1.0 - g * g),
                dh * tanh_c * o * (1.0 - o),
            ],
            axis=-1,
        )
        dh_previous = masked(ops.matmul(dz, transposed))
        dc_previous = dc * f
        if keep_t is not None:
            dh_previous = dh_previous + dh_passed
            dc_previous = dc_previous + dc_passed
        carry = (dh_previous, dc_previous, dz)
        return carry, carry

    zeros = ops.zeros((ops.shape(d_outputs)[1], 4 * units if lstm else units), d_outputs.dtype)
    if lstm:
        c_prev = ops.concatenate([ops.expand_dims(states[1], 0), saved[1][:-1]], axis=0)
        sequences = (d_outputs, saved[0], saved[1], saved[2], c_prev)
        sizes = (units, units, units, 4 * units, units)
        init = (*d_final, zeros)
    else:
        sequences = (d_outputs, saved[0])
        sizes = (units, units)
        init = (d_final[0], zeros)
    backward_inputs, sizes = _step_inputs(sequences, sizes, keep)
    d_initial, history = ops.scan(backward_step, init, backward_inputs, reverse=True)
    return history[-1], tuple(d_initial[: len(states)])


def _pack(sequences):
    # TensorFlow's scan cannot take several sequences of unknown length;
    # then they travel as one, concatenated on the last axis.
    if sequences[0].shape[0] is not None:
        return tuple(sequences)
    return ops.concatenate(sequences, axis=-1)


def _unpack(inputs, sizes):
    if isinstance(inputs, (tuple, list)):
        return inputs
    if len(sizes) == 1:
        return [inputs]
    boundaries = list(np.cumsum(sizes)[:-1])
    return ops.split(inputs, boundaries, axis=-1)
