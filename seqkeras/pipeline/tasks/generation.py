"""Greedy generation for evaluating seq2seq and captioning models."""

import keras
import numpy as np

from seqkeras.data import Vocabulary
from seqkeras.models import build_inference_models


def greedy_generate(model, sources, max_length: int, batch_size: int = 256):
    """Greedy token ids `(N, max_length)` and alignments for `sources`.

    Runs the model's encoder once per batch, then its one-step decoder
    `max_length` times, feeding back each step's argmax. Tokens after `<end>`
    are set to padding.
    """
    encoder, step = build_inference_models(model)
    all_tokens, all_alignments = [], []
    for start in range(0, len(sources), batch_size):
        batch = sources[start:start + batch_size]
        memory, memory_mask, *states = encoder(batch, training=False)
        token = np.full((len(batch),), Vocabulary.start_id, "int32")
        finished = np.zeros(len(batch), bool)
        tokens, alignments = [], []
        for _ in range(max_length):
            logits, alignment, *states = step(
                [keras.ops.convert_to_tensor(token), memory, memory_mask, *states],
                training=False,
            )
            token = np.argmax(np.asarray(logits), axis=-1).astype("int32")
            token = np.where(finished, 0, token)
            finished |= token == Vocabulary.end_id
            tokens.append(token)
            alignments.append(np.asarray(alignment))
            if finished.all():
                break
        all_tokens.append(_pad_steps(np.stack(tokens, 1), max_length))
        all_alignments.append(_pad_steps(np.stack(alignments, 1), max_length))
    return np.concatenate(all_tokens), all_alignments


def _pad_steps(array, length):
    pad = [(0, 0), (0, length - array.shape[1])] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, pad)
