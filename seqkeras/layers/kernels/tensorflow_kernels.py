"""Device kernels of the recurrent layers on the TensorFlow backend.

Two kernels sit here, both reached only through `kernel_choice` (the one
dispatch point) and never traced into an export (`portable_kernels`):

- `compiled(loop)`: one of the fast path's loops
  (`fast_recurrence.forward_loop` or `backward_loop`) compiled with XLA as
  its own function. Only plain tensors cross between them, through the
  fast path's custom gradient: a `jit_compile=True` recurrence differentiated
  by autodiff across the XLA/TF boundary fails ("Support for TensorList
  crossing the XLA/TF boundary is not implemented"), and the inputs pass
  through `tf.stop_gradient`, or TensorFlow asks XLA for a forward variant
  with side outputs that it cannot compile.
- `run_cudnn(...)`: the LSTM and GRU of cuDNN (`tf.raw_ops.CudnnRNNV3`), with
  the layer's weights packed into cuDNN's canonical layout
  (`cudnn_params`).

XLA compiles each function once per input shape; with length-bucketed
batches that is once per bucket, a fraction of a second each for these
small loops.
"""

import functools

import tensorflow as tf


@functools.cache
def compiled(loop, **static):
    """`loop` as an XLA-compiled function of tensors, tuples and `None`s.

    `static` (Python values, such as the number of units) are bound, not
    traced: `reduce_retracing` turns Python numbers into tensors too.
    """
    # `reduce_retracing`: one trace serves every batch and length (XLA
    # still compiles per concrete shape), so bucketed batches do not set off
    # TensorFlow's retracing warning.
    function = tf.function(
        functools.partial(loop, **static),
        jit_compile=True,
        autograph=False,
        reduce_retracing=True,
    )

    def run(*args):
        # Outside the function: a watched input makes a gradient tape ask
        # for the function's forward variant with side outputs.
        args = tf.nest.map_structure(lambda t: t if t is None else tf.stop_gradient(t), args)
        return function(*args)

    return run


def gpu_available():
    """Whether TensorFlow sees a GPU (cuDNN kernels need one)."""
    return bool(tf.config.list_logical_devices("GPU"))


# cuDNN's gate order, as indices into Keras's: the LSTM's is the same
# (i, f, c, o); the GRU's is (r, z, h) against Keras's (z, r, h).
_CUDNN_ORDER = {"lstm": (0, 1, 2, 3), "gru": (1, 0, 2)}


def cudnn_params(kind, kernel, recurrent_kernel, bias):
    """The flat parameter buffer of a one-layer cuDNN RNN from Keras's weights.

    cuDNN's canonical layout: the input matrices of every gate in cuDNN's
    gate order, then the recurrent matrices, each stored as `(units, in)`
    row-major (the transpose of Keras's `(in, units)` block); then the input
    biases of every gate and the recurrent biases, in the same order. The
    LSTM has one Keras bias, which becomes the recurrent bias here (cuDNN
    adds both); the GRU with `reset_after=True` has two, `bias[0]` for the
    input and `bias[1]` for the recurrent product.

    Args:
        kind: `"lstm"` or `"gru"`.
        kernel: `(in, gates * units)`.
        recurrent_kernel: `(units, gates * units)`.
        bias: `(gates * units,)` for the LSTM, `(2, 3 * units)` for the GRU.

    Returns:
        A 1-D float tensor.
    """
    order = _CUDNN_ORDER[kind]
    gates = len(order)

    def blocks(matrix):
        split = tf.split(matrix, gates, axis=-1)
        return [split[index] for index in order]

    if kind == "lstm":
        input_bias, recurrent_bias = tf.zeros_like(bias), bias
    else:
        input_bias, recurrent_bias = bias[0], bias[1]
    weights = blocks(kernel) + blocks(recurrent_kernel)
    biases = blocks(input_bias) + blocks(recurrent_bias)
    flat = [tf.reshape(tf.transpose(w), [-1]) for w in weights]
    flat += [tf.reshape(b, [-1]) for b in biases]
    return tf.concat(flat, axis=0)


def run_cudnn(kind, sequences, initial_state, mask, cell, *, go_backwards, zero_output_for_mask):
    """`(last_output, outputs, final_states)` of cuDNN's RNN; `outputs` batch-major.

    With a `mask`, which must be right-padded with no empty row (the caller
    checks), each sequence runs for its own length and the final states are
    those of its last step. cuDNN leaves zeros at the padded steps; they are
    set to what `keras.layers.RNN`'s loop gives there: reading forwards, the
    last output repeated, or zeros with `zero_output_for_mask` (then also
    the last output of a sequence that ends in padding). Read backwards,
    the padding comes first, where the loop gives zeros either way.
    """
    bias = cell.bias if cell.use_bias else None
    params = cudnn_params(kind, cell.kernel, cell.recurrent_kernel, bias)
    time_major = tf.transpose(sequences, (1, 0, 2))
    states = [tf.expand_dims(s, 0) for s in initial_state]
    # The GRU has no cell state; cuDNN ignores `input_c` for it.
    input_c = states[1] if kind == "lstm" else tf.constant(0.0)
    lengths = None
    if mask is not None:
        lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)
        if go_backwards:
            time_major = tf.reverse_sequence(time_major, lengths, seq_axis=0, batch_axis=1)
    elif go_backwards:
        time_major = tf.reverse(time_major, axis=[0])
    if lengths is None:
        lengths = tf.fill([tf.shape(time_major)[1]], tf.shape(time_major)[0])
    outputs, h, c, _, _ = tf.raw_ops.CudnnRNNV3(
        input=time_major,
        input_h=states[0],
        input_c=input_c,
        params=params,
        sequence_lengths=lengths,
        rnn_mode=kind,
        is_training=True,
        time_major=True,
    )
    if mask is not None and go_backwards:
        outputs = tf.reverse_sequence(outputs, lengths, seq_axis=0, batch_axis=1)
        # Keras's loop gives the steps in reading order (from the end).
        outputs = tf.reverse(outputs, axis=[0])
    final = [tf.squeeze(h, 0)] + ([tf.squeeze(c, 0)] if kind == "lstm" else [])
    outputs = tf.transpose(outputs, (1, 0, 2))
    last = final[0]
    if mask is not None and not go_backwards:
        if zero_output_for_mask:
            last = tf.where(mask[:, -1:], last, tf.zeros_like(last))
        else:
            outputs = tf.where(mask[:, :, None], outputs, last[:, None, :])
    return last, outputs, final


def cudnn_mask_fits(mask):
    """Whether cuDNN can run `mask`: right-padded, with no empty row (a tensor)."""
    mask = tf.cast(mask, tf.int32)
    lengths = tf.reduce_sum(mask, axis=1)
    right_padded = tf.sequence_mask(lengths, maxlen=tf.shape(mask)[1], dtype=tf.int32)
    return tf.logical_and(tf.reduce_all(tf.equal(mask, right_padded)), tf.reduce_all(lengths > 0))
