"""In-graph generation over a one-step decoder: greedy, sampling, beam search.

A strategy object (`Greedy`, `BeamSearch`, `Sampling`) says how tokens are
chosen; `generate` runs it, and the exports serve the same object.

Every strategy runs over a `DecodingStep` (previous token ids and state in,
logits, alignments and new state out) inside one `tf.while_loop`, built from
stock TensorFlow ops so that exported SavedModels need no custom op.
"""

from seqkeras.decoding.beam_search import BeamSearch
from seqkeras.decoding.beam_search import beam_search
from seqkeras.decoding.beam_search import length_penalty
from seqkeras.decoding.beam_search import tile_beams
from seqkeras.decoding.decoding_step import DecodingStep
from seqkeras.decoding.generate import decode
from seqkeras.decoding.generate import generate
from seqkeras.decoding.greedy import Greedy
from seqkeras.decoding.greedy import greedy_search
from seqkeras.decoding.language_model_step import language_model_step
from seqkeras.decoding.result import DecodeResult
from seqkeras.decoding.sampling import Sampling
from seqkeras.decoding.sampling import sample
from seqkeras.decoding.strategy import STRATEGIES
from seqkeras.decoding.strategy import DecodingStrategy
from seqkeras.decoding.strategy import deserialize_strategy
from seqkeras.decoding.strategy import make_strategy
from seqkeras.decoding.strategy import serialize_strategy

__all__ = [
    "BeamSearch",
    "beam_search",
    "decode",
    "DecodeResult",
    "DecodingStep",
    "DecodingStrategy",
    "deserialize_strategy",
    "generate",
    "Greedy",
    "greedy_search",
    "language_model_step",
    "make_strategy",
    "length_penalty",
    "sample",
    "Sampling",
    "serialize_strategy",
    "STRATEGIES",
    "tile_beams",
]
