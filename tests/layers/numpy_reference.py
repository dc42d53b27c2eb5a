"""NumPy float64 formulas of the vanilla RNN, the LSTM and the GRU: the
independent reference the cells and layers are checked against.

Weights come in the Keras layout `[kernel, recurrent_kernel, bias]`; the LSTM
gate order is (i, f, c, o), the GRU's (z, r, h).
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def vanilla_rnn(x, weights, initial_state=None, activation=np.tanh):
    """h[t] = activation(x[t] W_xh + h[t-1] W_hh + b).

    Returns `(outputs, [h])`: the outputs of every step `(B, T, H)` and the
    final state.
    """
    kernel, recurrent_kernel, bias = _float64(weights)
    x = np.asarray(x, np.float64)
    h = _initial(initial_state, 0, x.shape[0], kernel.shape[1])
    outputs = []
    for t in range(x.shape[1]):
        h = activation(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        outputs.append(h)
    return np.stack(outputs, axis=1), [h]


def lstm(x, weights, initial_state=None, activation=np.tanh, gate_activation=None):
    """i, f, o = sigmoid(.), g = tanh(.); c' = f c + i g; h' = o tanh(c').

    `activation` replaces tanh and `gate_activation` sigmoid.

    Returns `(outputs, [h, c])`: the outputs of every step `(B, T, H)` and the
    final hidden and cell states.
    """
    gate_activation = gate_activation or sigmoid
    kernel, recurrent_kernel, bias = _float64(weights)
    x = np.asarray(x, np.float64)
    units = recurrent_kernel.shape[0]
    h = _initial(initial_state, 0, x.shape[0], units)
    c = _initial(initial_state, 1, x.shape[0], units)
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        i = gate_activation(z_i)
        f = gate_activation(z_f)
        o = gate_activation(z_o)
        g = activation(z_c)
        c = f * c + i * g
        h = o * activation(c)
        outputs.append(h)
    return np.stack(outputs, axis=1), [h, c]


def gru(x, weights, initial_state=None, reset_after=True, activation=np.tanh):
    """The GRU of Cho et al. (2014) with Keras's two forms of the reset gate.

    z = sigmoid(x W_z + h U_z + b_z), r = sigmoid(x W_r + h U_r + b_r),
    reset_after: n = tanh(x W_h + b_xh + r * (h U_h + b_hh)),
    else:        n = tanh(x W_h + b_h + (r * h) U_h);
    h' = z * h + (1 - z) * n.

    `bias` is `(2, 3H)` (input row, recurrent row) with `reset_after`, else
    `(3H,)`; `weights` may omit it (no bias).

    Returns `(outputs, [h])`: the outputs of every step `(B, T, H)` and the
    final state.
    """
    weights = _float64(weights)
    kernel, recurrent_kernel = weights[:2]
    units = recurrent_kernel.shape[0]
    if len(weights) == 3:
        bias = weights[2]
    else:
        bias = np.zeros((2, 3 * units) if reset_after else (3 * units,))
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)
    w_z, w_r, w_h = np.split(kernel, 3, axis=-1)
    u_z, u_r, u_h = np.split(recurrent_kernel, 3, axis=-1)
    b_z, b_r, b_h = np.split(input_bias, 3)
    x = np.asarray(x, np.float64)
    h = _initial(initial_state, 0, x.shape[0], units)
    outputs = []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        if reset_after:
            c_z, c_r, c_h = np.split(recurrent_bias, 3)
            z = sigmoid(x_t @ w_z + b_z + h @ u_z + c_z)
            r = sigmoid(x_t @ w_r + b_r + h @ u_r + c_r)
            n = activation(x_t @ w_h + b_h + r * (h @ u_h + c_h))
        else:
            z = sigmoid(x_t @ w_z + b_z + h @ u_z)
            r = sigmoid(x_t @ w_r + b_r + h @ u_r)
            n = activation(x_t @ w_h + b_h + (r * h) @ u_h)
        h = z * h + (1 - z) * n
        outputs.append(h)
    return np.stack(outputs, axis=1), [h]


def stacked(reference_fns, x, weights_per_layer):
    """Run references layer after layer; return the last layer's outputs."""
    outputs = np.asarray(x, np.float64)
    for fn, weights in zip(reference_fns, weights_per_layer):
        outputs, _ = fn(outputs, weights)
    return outputs


def central_differences(loss, array, eps=1e-6):
    """d loss() / d array by central differences; perturbs `array` in place."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        up = loss()
        array[index] = original - eps
        down = loss()
        array[index] = original
        grad[index] = (up - down) / (2 * eps)
    return grad


def _float64(weights):
    return [np.asarray(w, np.float64) for w in weights]


def _initial(initial_state, index, batch, units):
    if initial_state is None:
        return np.zeros((batch, units))
    return np.asarray(initial_state[index], np.float64)
