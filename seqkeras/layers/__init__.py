"""Recurrent cells, sequence layers and attention, all registered with Keras.

Every class here is serializable under the package name "seqkeras", so models
that use them save to and load from `.keras` files.
"""
from seqkeras.layers.vanilla_rnn_cell import VanillaRNNCell
from seqkeras.layers.lstm_cell import LSTMCell
from seqkeras.layers.vanilla_rnn import VanillaRNN
from seqkeras.layers.lstm import LSTM
