"""Vocabulary lookups that live inside an exported graph."""

import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.data import tokenize_in_graph
from seqkeras.data.tokenizers import JOINERS
from seqkeras.data.vocabulary import decoded_positions


class TextCodec(tf.Module):
    """Strings to padded ids and ids back to strings, as tracked graph code.

    Holds the vocabulary's `StringLookup` tables as attributes, so a
    SavedModel that contains the codec carries them.

    Args:
        vocab: A `seqkeras.data.Vocabulary`.
    """

    def __init__(self, vocab: Vocabulary, name=None):
        super().__init__(name=name)
        self.split = vocab.split
        self.end_id = vocab.end_id
        self.start_id = vocab.start_id
        self.lookup = vocab.lookup_layer()
        self.inverse = vocab.lookup_layer(invert=True)

    def encode(self, texts, max_length=None):
        """`(batch,)` strings to `(batch, steps)` int32 ids, 0-padded.

        At least one step wide (an all-empty batch gives one padding step),
        and cut to `max_length` steps when given.
        """
        tokens = tokenize_in_graph(texts, self.split)
        ids = tokens.with_flat_values(tf.cast(self.lookup(tokens.flat_values), tf.int32))
        if max_length is not None:
            ids = ids[:, :max_length]
        return pad_to_one_step(ids.to_tensor(0))

    def tokens(self, ids):
        """`(..., steps)` ids to token strings (padding and markers as-is)."""
        return self.inverse(tf.cast(ids, tf.int64))

    def decode(self, ids):
        """`(batch, steps)` ids to `(batch,)` strings, stopping at `<end>`."""
        ids = tf.cast(ids, tf.int32)
        keep = decoded_positions(ids, self.start_id, self.end_id)
        tokens = tf.ragged.boolean_mask(self.tokens(ids), keep)
        return tf.strings.reduce_join(tokens, axis=-1, separator=JOINERS[self.split])


def pad_to_one_step(ids):
    """`(batch, steps)` ids padded to at least one step (an all-empty batch has none)."""
    width = tf.shape(ids)[1]
    return tf.pad(ids, [[0, 0], [0, tf.maximum(1 - width, 0)]])
