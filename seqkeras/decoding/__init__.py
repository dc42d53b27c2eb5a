"""In-graph generation over a one-step decoder: greedy, sampling, beam search.

Every strategy runs over a `DecodingStep` (previous token ids and state in,
logits, alignments and new state out) inside one `tf.while_loop`, built from
stock TensorFlow ops so that exported SavedModels need no custom op.
"""

from seqkeras.decoding.beam_search import beam_search
from seqkeras.decoding.beam_search import length_penalty
from seqkeras.decoding.beam_search import tile_beams
from seqkeras.decoding.decoding_step import DecodingStep
from seqkeras.decoding.generate import STRATEGIES
from seqkeras.decoding.generate import decode
from seqkeras.decoding.generate import generate
from seqkeras.decoding.greedy import greedy_search
from seqkeras.decoding.language_model_step import language_model_step
from seqkeras.decoding.result import DecodeResult
from seqkeras.decoding.sampling import sample

__all__ = [
    "beam_search",
    "decode",
    "DecodeResult",
    "DecodingStep",
    "generate",
    "greedy_search",
    "language_model_step",
    "length_penalty",
    "sample",
    "STRATEGIES",
    "tile_beams",
]
