"""Masking shared by the attention layers: padded memory never takes part.

Both `BahdanauAttention` and `LuongAttention` zero the memory at masked
positions before using it and give those positions an alignment of exactly
zero; these functions are that contract, written once.
"""

import keras
from keras import ops


def masked_softmax(scores, mask=None):
    """Softmax over the last axis of `scores` that gives masked entries 0.

    `mask` has the shape of `scores` without its second-to-last axis
    (`(B, Tm)` for scores `(B, Tq, Tm)`). The large negative filler comes
    from the scores' own dtype, so it stays finite in float16; the final
    `where` makes the masked weights exactly zero.
    """
    if scores.shape[-1] == 1:
        # A one-position memory (a captioning feature vector): the whole
        # weight goes to it; Keras warns about a softmax over one entry.
        weights = ops.ones_like(scores)
    elif mask is None:
        return ops.softmax(scores, axis=-1)
    else:
        filler = ops.full_like(scores, _most_negative(scores.dtype))
        weights = ops.softmax(ops.where(_expand_mask(mask), scores, filler), axis=-1)
    if mask is None:
        return weights
    return ops.where(_expand_mask(mask), weights, ops.zeros_like(weights))


def zero_masked(memory, memory_mask):
    """`memory` `(B, Tm, D)` with the masked positions set to zero."""
    if memory_mask is None:
        return memory
    mask = ops.expand_dims(ops.cast(memory_mask, "bool"), -1)
    return ops.where(mask, memory, ops.zeros_like(memory))


def _expand_mask(mask):
    return ops.expand_dims(ops.cast(mask, "bool"), -2)


# Half of each float dtype's lowest value: far below any real score, and
# subtracting the row maximum inside softmax cannot overflow to -inf.
_MOST_NEGATIVE = {
    "float16": -65504.0 / 2,
    "bfloat16": -3.38e38 / 2,
    "float32": -3.4028235e38 / 2,
    "float64": -1.7976931348623157e308 / 2,
}


def _most_negative(dtype):
    return _MOST_NEGATIVE[keras.backend.standardize_dtype(dtype)]
