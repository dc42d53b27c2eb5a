"""NumPy float64 formulas of the vanilla RNN and the LSTM: the independent
reference the cells and layers are checked against.

Weights come in the Keras layout `[kernel, recurrent_kernel, bias]`; the LSTM
gate order is (i, f, c, o).
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
