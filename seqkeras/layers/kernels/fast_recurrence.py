"""The fast execution path of `seqkeras.layers.LSTM`, `GRU` and `VanillaRNN`.

The reference path (`keras.layers.RNN`'s loop) calls the cell at every step,
so each step multiplies the step's input by `kernel` and the state by
`recurrent_kernel`. The input product does not depend on the state, so the
fast path does it for all steps in one large matrix product before the loop,
input bias included, and the loop keeps only `h @ recurrent_kernel` and the
gate activations. Same weights, same formulas; only the order of two
additions changes, which moves results by float rounding (~1e-7).

The input dropout mask is the same at every step of a sequence (variational
dropout), so it is applied to the whole sequence before the big product; the
recurrent mask is applied to `h` inside the loop, as the cell does.

Two loops:

- with the default activations (tanh, and sigmoid gates), float32 and (for
  the GRU) `reset_after=True`, masked or not, `_bptt_loop`: the time-major
  loops of `bptt_loops` with a hand-written backward pass (one product per
  step backwards, the kernel's gradient as one large product after the
  loop), run as they are (`"fast"`) or XLA-compiled (`"xla"`);
- otherwise (other activations, `unroll=True`, mixed precision; LSTM and
  vanilla RNN only), `keras.layers.RNN`'s own loop over a function that
  does only the recurrent part of a step (`step_loop`), so masking,
  `go_backwards`, `unroll` and `zero_output_for_mask` keep Keras's exact
  semantics; autodiff gives the gradient.

Where each pays is measured in docs/speed.md; `kernel_choice` picks.
"""

import functools

import keras
from keras import ops

from seqkeras.layers.kernels import bptt_loops
from seqkeras.layers.step_loop import run_step_loop


def with_input_dropout(cell, sequences, training):
    """`sequences` times the cell's input dropout mask, one for every step.

    For the loops that do not call the cell (the fast path, cuDNN): the mask
    was drawn before the call, as the cell's own steps would use it.
    """
    if not training or cell.dropout <= 0:
        return sequences
    return sequences * ops.expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1)


def run_fast_loop(layer, sequences, initial_state, mask, training, compiled=False):
    """`(last_output, outputs, final_states)` of `layer` over `sequences`.

    With `compiled` (TensorFlow backend), the hand-written BPTT loops run
    XLA-compiled (`tensorflow_kernels.compiled`).

    `layer` is a `CellRNN` whose cell is a `seqkeras.layers.LSTMCell`,
    `VanillaRNNCell` or (with `_bptt_applies`) `GRUCell`; its dropout masks,
    when training, were drawn before the call (see
    `dropout_masks.prepare_dropout_masks`).
    """
    cell = layer.cell
    sequences = with_input_dropout(cell, sequences, training)
    # One 2-D product over time-major rows: the loop reads the sequence
    # time-major, so transposing the narrow inputs here lets the transpose
    # back (below) cancel the loop's own (TensorFlow folds the pair).
    steps, batch_size = ops.shape(sequences)[1], ops.shape(sequences)[0]
    time_major = ops.transpose(sequences, (1, 0, 2))
    projected = ops.matmul(ops.reshape(time_major, (-1, ops.shape(sequences)[2])), cell.kernel)
    if cell.use_bias:
        # The GRU's first bias row is its input bias (`reset_after=True`).
        projected = projected + (cell.bias[0] if cell_kind(layer) == "gru" else cell.bias)
    # The last size stays static: the step's input channels are split by it.
    projected = ops.reshape(projected, (steps, batch_size, cell.kernel.shape[-1]))
    recurrent_mask = None
    if training and cell.recurrent_dropout > 0:
        recurrent_mask = cell.get_recurrent_dropout_mask(initial_state[0])
    if _bptt_applies(layer):
        return _bptt_loop(layer, projected, initial_state, recurrent_mask, mask, compiled)
    if cell_kind(layer) == "gru":
        # `kernel_choice` sends a GRU here only where `_bptt_applies`.
        raise ValueError(f"The GRU's fast loop cannot run layer {layer.name!r}.")
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
    gated = hasattr(cell, "recurrent_activation")
    return (
        not layer.unroll
        and cell.compute_dtype == "float32"
        and cell.activation is keras.activations.tanh
        and (not gated or cell.recurrent_activation is keras.activations.sigmoid)
        and getattr(cell, "reset_after", True)
    )


def _bptt_loop(layer, projected, initial_state, recurrent_mask, mask=None, compiled=False):
    """The loop with a hand-written backward pass (BPTT, `bptt_loops`).

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
    loop each run as an XLA-compiled function (`tensorflow_kernels.compiled`);
    only plain tensors cross between them, through the custom gradient.
    """
    cell = layer.cell
    units = cell.units
    kind = cell_kind(layer)
    zero_output = layer.zero_output_for_mask
    # Tensors, not the variables: the custom gradient returns their gradients.
    weights = [ops.copy(cell.recurrent_kernel)]
    if kind == "gru" and cell.use_bias:
        weights.append(ops.copy(cell.bias[1]))
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
    if compiled:
        from seqkeras.layers.kernels.tensorflow_kernels import compiled as compile_loop

        forward = compile_loop(bptt_loops.forward_loop, units=units, kind=kind)
        backward = compile_loop(bptt_loops.backward_loop, units=units, kind=kind)
    else:
        forward = functools.partial(bptt_loops.forward_loop, units=units, kind=kind)
        backward = functools.partial(bptt_loops.backward_loop, units=units, kind=kind)
    count = len(initial_state)

    @ops.custom_gradient
    def run(projected, *tensors):
        kernel, bias, states = tensors[0], tensors[1:-count] or (None,), tensors[-count:]
        final, saved = forward(projected, kernel, bias[0], states, keep, recurrent_mask)
        outputs = saved[0]
        if mask is not None:
            outputs = outputs * shown

        def grad(d_outputs, *d_final, upstream=None):
            d_final = [ops.zeros_like(s) if d is None else d for d, s in zip(d_final, final)]
            if d_outputs is None:
                d_outputs = ops.zeros_like(saved[0])
            if mask is not None:
                d_outputs = d_outputs * shown
            d_projected, d_recurrent, d_initial = backward(
                d_outputs, tuple(d_final), kernel, states, saved, keep, recurrent_mask
            )
            h_prev = ops.concatenate([ops.expand_dims(states[0], 0), saved[0][:-1]], axis=0)
            if recurrent_mask is not None:
                h_prev = h_prev * recurrent_mask
            d_recurrent = ops.reshape(d_recurrent, (-1, ops.shape(d_recurrent)[-1]))
            d_kernel = ops.matmul(ops.transpose(ops.reshape(h_prev, (-1, units))), d_recurrent)
            d_bias = (ops.sum(d_recurrent, axis=0),) if len(tensors) > count + 1 else ()
            return (d_projected, d_kernel, *d_bias, *d_initial)

        return (outputs, *final), grad

    outputs, *final = run(projected, *weights, *initial_state)
    # Keras's loop returns the last step's output, zeros where that step is
    # masked and `zero_output_for_mask` is on.
    last = outputs[-1] if mask is not None else final[0]
    if layer.return_sequences:
        outputs = ops.transpose(outputs, (1, 0, 2))
    else:
        outputs = last
    return last, outputs, list(final)


def cell_kind(layer):
    """`"lstm"`, `"gru"` or `"vanilla"`: which step `bptt_loops` runs."""
    cell = layer.cell
    if hasattr(cell, "reset_after"):
        return "gru"
    return "lstm" if hasattr(cell, "recurrent_activation") else "vanilla"
