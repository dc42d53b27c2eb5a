"""Generation for evaluating seq2seq and captioning models."""

import keras
import numpy as np

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStep
from seqkeras.decoding import DecodingStrategy
from seqkeras.decoding import generate


def generate_outputs(model, sources, strategy: DecodingStrategy, batch_size: int = 512):
    """Token ids `(N, max_length)` and alignments `(N, max_length, Tm)`.

    Runs `strategy` (the one the export serves) over the model's encoder
    and one-step decoder, a batch at a time, with a progress bar. Tokens
    after `<end>` are padding.
    """
    max_length = strategy.max_length
    step = DecodingStep.from_model(model)
    tokens, alignments = [], []
    progress = keras.utils.Progbar(len(sources), unit_name="sequence")
    for start in range(0, len(sources), batch_size):
        result = generate(
            step,
            sources[start : start + batch_size],
            strategy,
            start_id=Vocabulary.start_id,
            end_id=Vocabulary.end_id,
        )
        tokens.append(_pad_steps(np.asarray(result.tokens), max_length))
        alignments.append(_pad_steps(np.asarray(result.alignments), max_length))
        progress.add(len(result.tokens))
    return np.concatenate(tokens), np.concatenate(alignments)


def _pad_steps(array, length):
    pad = [(0, 0), (0, length - array.shape[1])] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, pad)
