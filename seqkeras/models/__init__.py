"""Model builders, one per RNN topology, each returning a `keras.Model`."""

from seqkeras.models.decoder_head import build_inference_models
from seqkeras.models.many_to_many import build_many_to_many
from seqkeras.models.many_to_one import build_many_to_one
from seqkeras.models.one_to_many import build_one_to_many
from seqkeras.models.seq2seq import build_seq2seq

__all__ = [
    "build_inference_models",
    "build_many_to_many",
    "build_many_to_one",
    "build_one_to_many",
    "build_seq2seq",
]
