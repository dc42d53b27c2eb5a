"""The part every attention over a memory shares: the call contract and the read.

`BahdanauAttention` and `LuongAttention` differ only in how they score a query
against the memory's keys; turning scores into alignments over the unmasked
positions and reading the context, the call signature, masks and shapes are
this base class, written once.
"""

import keras
from keras import ops

from seqkeras.layers.attention.attention_masking import masked_softmax
from seqkeras.layers.attention.attention_masking import zero_masked


class MemoryAttention(keras.layers.Layer):
    """Base of the attention layers: `context, alignments = layer(query, memory, mask)`.

    Subclasses implement `project_memory(memory, memory_mask)` (the keys a
    decoder computes once per sequence) and `attend(query, memory, keys,
    memory_mask)`, which scores the query and calls `read_memory`.
    """

    def read_memory(self, scores, memory, memory_mask, one_step):
        """Returns `(context, alignments)` from scores of shape `(batch, Tq, Tm)`.

        Masked positions get an alignment of exactly zero and their memory is
        zeroed, so padding never leaks into the context. With `one_step` (a 2-D
        query), the query axis is dropped again.
        """
        alignments = masked_softmax(scores, memory_mask)
        context = ops.matmul(alignments, zero_masked(memory, memory_mask))
        if one_step:
            return context[:, 0], alignments[:, 0]
        return context, alignments

    def call(self, query, memory, memory_mask=None):
        keys = self.project_memory(memory, memory_mask)
        return self.attend(query, memory, keys, memory_mask)

    def compute_mask(self, query, memory=None, memory_mask=None, mask=None):
        # Outputs follow the query: a masked query step stays masked.
        return None

    def compute_output_shape(self, query_shape, memory_shape):
        prefix = tuple(query_shape[:-1])
        return (
            prefix + (memory_shape[-1],),
            prefix + (memory_shape[1],),
        )
