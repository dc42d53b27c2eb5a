"""Recurrent cells, sequence layers and attention, all registered with Keras.

Every class here is serializable under the package name "seqkeras", so models
that use them save to and load from `.keras` files.
"""

from seqkeras.layers.attention.attention_decoder import AttentionDecoder
from seqkeras.layers.attention.bahdanau_attention import BahdanauAttention
from seqkeras.layers.attention.luong_attention import LuongAttention
from seqkeras.layers.attention.scheduled_sampling_decoder import ScheduledSamplingDecoder
from seqkeras.layers.cell_rnn import set_implementation
from seqkeras.layers.gru import GRU
from seqkeras.layers.gru_cell import GRUCell
from seqkeras.layers.kernels.kernel_choice import IMPLEMENTATIONS
from seqkeras.layers.kernels.kernel_choice import KernelChoice
from seqkeras.layers.kernels.kernel_choice import portable_kernels
from seqkeras.layers.lstm import LSTM
from seqkeras.layers.lstm_cell import LSTMCell
from seqkeras.layers.position_embedding import PositionEmbedding
from seqkeras.layers.vanilla_rnn import VanillaRNN
from seqkeras.layers.vanilla_rnn_cell import VanillaRNNCell

__all__ = [
    "AttentionDecoder",
    "BahdanauAttention",
    "GRU",
    "GRUCell",
    "IMPLEMENTATIONS",
    "KernelChoice",
    "LSTM",
    "LSTMCell",
    "LuongAttention",
    "PositionEmbedding",
    "ScheduledSamplingDecoder",
    "VanillaRNN",
    "VanillaRNNCell",
    "portable_kernels",
    "set_implementation",
]
