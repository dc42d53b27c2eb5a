"""The forward and backward loops of the fast path, with hand-written derivatives.

`forward_loop` runs a recurrence over time-major inputs whose input product
(and input bias) was computed for all steps before the loop, and saves what
the backward pass reads; `backward_loop` runs backwards over it and returns
the gradient of every step's input part (which is also the gradient of the
hoisted product) and of the recurrent part, from which the caller computes
the recurrent kernel's gradient as one large product. Both are plain
functions of tensors (in `keras.ops`), so the same code runs as is (`"fast"`)
or compiled by XLA (`"xla"`, `tensorflow_kernels.compiled`).

The steps, with `p_t` the hoisted input part and `U` the recurrent kernel:

- vanilla: `h = tanh(p_t + h_prev U)`;
- LSTM (Keras gate order i, f, c, o): `z = p_t + h_prev U`,
  `c = f c_prev + i g`, `h = o tanh(c)`;
- GRU (`reset_after=True`, Keras order z, r, h): `u = h_prev U + b_rec`,
  `z, r = sigmoid(p_z + u_z), sigmoid(p_r + u_r)`, `n = tanh(p_h + r u_h)`,
  `h = z h_prev + (1 - z) n`.

With a mask (`keep`, time-major `(steps, batch, 1)`), a masked step carries
the states over; backwards, the state's gradient passes a masked step
unchanged and the step's own gradient is zero. A recurrent dropout mask
multiplies `h_prev` where it enters the recurrent product.
"""

import numpy as np
from keras import ops

#: Per kind, the width of the hoisted input part and of the saved activations
#: (in units): the LSTM saves `[i, f, g, o]`, the GRU `[z, r, n, u_h]`.
GATES = {"vanilla": 1, "lstm": 4, "gru": 3}
_SAVED = {"vanilla": 0, "lstm": 4, "gru": 4}


def forward_loop(projected, kernel, recurrent_bias, states, keep, recurrent_mask, *, units, kind):
    """`(final_states, saved)` of the forward loop over time-major `projected`.

    `saved` holds, per step, the output state `h`, for the LSTM the cell
    state `c`, and for the LSTM and GRU the activations the backward loop
    reads.
    """
    forward_inputs, sizes = step_inputs((projected,), (GATES[kind] * units,), keep)

    def forward_step(carry, inputs):
        # The carry holds the step's activations too, so the scan
        # (which stacks values shaped like the carry) saves them.
        projected_t, *keep_t = unpack(inputs, sizes)
        h_prev = carry[0]
        h_in = h_prev if recurrent_mask is None else h_prev * recurrent_mask
        u = ops.matmul(h_in, kernel)
        if kind == "vanilla":
            new = (ops.tanh(projected_t + u),)
        elif kind == "lstm":
            z_i, z_f, z_c, z_o = ops.split(projected_t + u, 4, axis=-1)
            i, f, o = ops.sigmoid(z_i), ops.sigmoid(z_f), ops.sigmoid(z_o)
            g = ops.tanh(z_c)
            c = f * carry[1] + i * g
            new = (o * ops.tanh(c), c)
            activations = (i, f, g, o)
        else:
            if recurrent_bias is not None:
                u = u + recurrent_bias
            p_z, p_r, p_h = ops.split(projected_t, 3, axis=-1)
            u_z, u_r, u_h = ops.split(u, 3, axis=-1)
            z, r = ops.sigmoid(p_z + u_z), ops.sigmoid(p_r + u_r)
            n = ops.tanh(p_h + r * u_h)
            new = (z * h_prev + (1.0 - z) * n,)
            activations = (z, r, n, u_h)
        if keep_t:
            new = tuple(ops.where(keep_t[0] > 0.5, n, old) for n, old in zip(new, carry))
        if kind != "vanilla":
            new += (ops.concatenate(activations, axis=-1),)
        return new, new

    init = tuple(states)
    if kind != "vanilla":
        init += (ops.zeros((ops.shape(projected)[1], _SAVED[kind] * units), projected.dtype),)
    final, saved = ops.scan(forward_step, init, forward_inputs)
    return tuple(final[: len(states)]), tuple(saved)


def backward_loop(d_outputs, d_final, kernel, states, saved, keep, recurrent_mask, *, units, kind):
    """`(d_projected, d_recurrent, d_initial_states)`: the backward loop.

    `d_projected` is the gradient of every step's hoisted input part;
    `d_recurrent` that of every step's recurrent part (`h_prev U`, plus the
    recurrent bias for the GRU); both time-major. For the vanilla RNN and
    the LSTM the two are the same tensor.
    """
    transposed = ops.transpose(kernel)
    width = GATES[kind] * units

    def masked(h):
        return h if recurrent_mask is None else h * recurrent_mask

    def backward_step(carry, inputs):
        inputs = unpack(inputs, sizes)
        # The gradient of the step's output state, and the part of it
        # that passes a masked step to the previous state unchanged.
        dh = inputs[0] + carry[0]
        keep_t = inputs[-1] if keep is not None else None
        if keep_t is not None:
            dh, dh_passed = dh * keep_t, dh * (1.0 - keep_t)
        if kind == "vanilla":
            dz = dh * (1.0 - inputs[1] * inputs[1])
            d_input = d_recurrent = dz
            dh_previous = masked(ops.matmul(dz, transposed))
        elif kind == "gru":
            activations, h_prev = inputs[1], inputs[2]
            z, r, n, u_h = ops.split(activations, 4, axis=-1)
            dz = dh * (h_prev - n) * z * (1.0 - z)
            dn = dh * (1.0 - z) * (1.0 - n * n)
            dr = dn * u_h * r * (1.0 - r)
            d_input = ops.concatenate([dz, dr, dn], axis=-1)
            d_recurrent = ops.concatenate([dz, dr, dn * r], axis=-1)
            dh_previous = dh * z + masked(ops.matmul(d_recurrent, transposed))
        else:
            # Where the step is masked, dh and dc are zero here, so the
            # carried c stands in for the step's own c.
            c, gates, c_prev = inputs[2:5]
            i, f, g, o = ops.split(gates, 4, axis=-1)
            tanh_c = ops.tanh(c)
            dc = carry[1]
            if keep_t is not None:
                dc, dc_passed = dc * keep_t, dc * (1.0 - keep_t)
            dc = dc + dh * o * (1.0 - tanh_c * tanh_c)
            d_input = d_recurrent = ops.concatenate(
                [
                    dc * g * i * (1.0 - i),
                    dc * c_prev * f * (1.0 - f),
                    dc * i * (1.0 - g * g),
                    dh * tanh_c * o * (1.0 - o),
                ],
                axis=-1,
            )
            dh_previous = masked(ops.matmul(d_recurrent, transposed))
            dc_previous = dc * f
            if keep_t is not None:
                dc_previous = dc_previous + dc_passed
        if keep_t is not None:
            dh_previous = dh_previous + dh_passed
        carry = (dh_previous,) + ((dc_previous,) if kind == "lstm" else ())
        carry += (d_input,) + ((d_recurrent,) if kind == "gru" else ())
        return carry, carry

    zeros = ops.zeros((ops.shape(d_outputs)[1], width), d_outputs.dtype)
    h_seq = saved[0]
    if kind == "lstm":
        c_prev = ops.concatenate([ops.expand_dims(states[1], 0), saved[1][:-1]], axis=0)
        sequences = (d_outputs, h_seq, saved[1], saved[2], c_prev)
        sizes = (units, units, units, 4 * units, units)
        init = (*d_final, zeros)
    elif kind == "gru":
        h_prev = ops.concatenate([ops.expand_dims(states[0], 0), h_seq[:-1]], axis=0)
        sequences = (d_outputs, saved[1], h_prev)
        sizes = (units, 4 * units, units)
        init = (d_final[0], zeros, zeros)
    else:
        sequences = (d_outputs, h_seq)
        sizes = (units, units)
        init = (d_final[0], zeros)
    backward_inputs, sizes = step_inputs(sequences, sizes, keep)
    d_initial, history = ops.scan(backward_step, init, backward_inputs, reverse=True)
    count = len(states)
    d_input = history[count]
    d_recurrent = history[count + 1] if kind == "gru" else d_input
    return d_input, d_recurrent, tuple(d_initial[:count])


def step_inputs(sequences, sizes, keep):
    """The scan's inputs and the width of each: `sequences`, then the mask."""
    # The sizes are given: a compiled loop is traced with unknown shapes.
    if keep is not None:
        sequences, sizes = (*sequences, keep), (*sizes, 1)
    return pack(sequences), sizes


def pack(sequences):
    # TensorFlow's scan cannot take several sequences of unknown length;
    # then they travel as one, concatenated on the last axis.
    if sequences[0].shape[0] is not None:
        return tuple(sequences)
    return ops.concatenate(sequences, axis=-1)


def unpack(inputs, sizes):
    if isinstance(inputs, (tuple, list)):
        return inputs
    if len(sizes) == 1:
        return [inputs]
    boundaries = list(np.cumsum(sizes)[:-1])
    return ops.split(inputs, boundaries, axis=-1)
