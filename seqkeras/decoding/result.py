"""What every decoding strategy returns."""

from typing import NamedTuple

import tensorflow as tf


class DecodeResult(NamedTuple):
    """Generated sequences with their scores, lengths and attention.

    Attributes:
        tokens: `int32` `(batch, steps)` token ids; each sequence ends with
            `<end>` when it finished before `max_length`, and is padded with
            0 after it. Id 0 (padding) is never generated. Beam search with
            `n_best > 1` adds an axis: `(batch, n_best, steps)`.
        scores: `float32` `(batch,)` (or `(batch, n_best)`): the summed
            log-probabilities of the tokens, divided by the length penalty
            for beam search.
        lengths: `int32` `(batch,)` (or `(batch, n_best)`): tokens per
            sequence, `<end>` included.
        alignments: `float32` `(batch, steps, memory_steps)` (or with an
            `n_best` axis after the batch): the attention of the step that
            produced each token, zero after the end; `memory_steps` is 0 for
            models without attention.
    """

    tokens: tf.Tensor
    scores: tf.Tensor
    lengths: tf.Tensor
    alignments: tf.Tensor
