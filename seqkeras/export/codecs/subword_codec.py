"""SentencePiece tokenizing and detokenizing that live inside an exported graph."""

import tensorflow as tf

from seqkeras.data.subword_vocabulary import SubwordVocabulary
from seqkeras.data.subword_vocabulary import join_pieces
from seqkeras.data.vocabulary import decoded_positions
from seqkeras.export.codecs.text_codec import pad_to_one_step


class SubwordCodec(tf.Module):
    """Strings to padded subword ids and back, as tracked graph code.

    The `TextCodec` of a `seqkeras.data.SubwordVocabulary`: tensorflow-text's
    `SentencepieceTokenizer` holds the SentencePiece model, so a SavedModel
    that contains the codec carries it, and loads where `tensorflow_text`
    has been imported (its ops are not part of TensorFlow).

    Args:
        vocab: A `seqkeras.data.SubwordVocabulary`.
    """

    def __init__(self, vocab: SubwordVocabulary, name=None):
        super().__init__(name=name)
        self.split = vocab.split
        self.end_id = vocab.end_id
        self.start_id = vocab.start_id
        self.tokenizer = vocab.graph_tokenizer()

    def encode(self, texts, max_length=None):
        """`(batch,)` strings to `(batch, steps)` int32 ids, 0-padded.

        At least one step wide, and cut to `max_length` steps when given.
        """
        ids = self.tokenizer.tokenize(texts)
        if max_length is not None:
            ids = ids[:, :max_length]
        return pad_to_one_step(ids.to_tensor(0))

    def tokens(self, ids):
        """`(..., steps)` ids to their pieces (padding and markers as-is)."""
        return self.tokenizer.id_to_string(tf.cast(ids, tf.int32))

    def decode(self, ids):
        """`(batch, steps)` ids to `(batch,)` strings, stopping at `<end>`."""
        ids = tf.cast(ids, tf.int32)
        keep = decoded_positions(ids, self.start_id, self.end_id)
        return join_pieces(tf.ragged.boolean_mask(self.tokens(ids), keep))
