"""The attention mechanisms the builders pick by name, and their options."""

from typing import Optional

import keras

from seqkeras import layers
from seqkeras.layers.attention.luong_attention import SCORES
from seqkeras.models.attention_options import AttentionOptions
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_optional_positive_int
from seqkeras.utils.arguments import invalid

# Attention kinds by the lower-case name configs use.
ATTENTIONS = {
    "bahdanau": layers.BahdanauAttention,
    "luong": layers.LuongAttention,
}


def build_attention(
    options: AttentionOptions,
    *,
    default_units: int,
    query_size: int,
    memory_size: int,
    name: Optional[str] = None,
) -> keras.layers.Layer:
    """The attention layer `options` (a builder's arguments) ask for.

    `default_units` is the size of Bahdanau attention and of Luong's
    `"concat"` score when `options.units` is None (the builder's `units`).
    `query_size` and `memory_size` are the sizes of what will attend and of
    what is attended to, so that a combination that cannot work (Luong's dot
    score between sizes that differ) is refused here, naming the builder's
    argument, rather than when Keras builds the layer.

    Raises:
        ValueError: naming the builder argument (`attention`,
            `attention_units`, `attention_score`, `normalize_attention`,
            `scale_attention`) that does not fit.
    """
    attention, attention_units, attention_score = options.kind, options.units, options.score
    normalize_attention, scale_attention = options.normalize, options.scale
    check_choice("attention", attention, ATTENTIONS)
    check_optional_positive_int("attention_units", attention_units)
    if attention_score is not None:
        check_choice("attention_score", attention_score, SCORES)
    if attention == "bahdanau":
        if attention_score is not None:
            raise invalid(
                "attention_score",
                "None with Bahdanau attention (it has one score)",
                attention_score,
            )
        if scale_attention:
            raise invalid(
                "scale_attention",
                "False with Bahdanau attention (the learned scale is Luong attention's; "
                "Bahdanau's has `normalize_attention`)",
                scale_attention,
            )
        return layers.BahdanauAttention(
            attention_units or default_units, normalize=normalize_attention, name=name
        )
    score = attention_score or "general"
    if normalize_attention:
        raise invalid(
            "normalize_attention",
            "False with Luong attention (weight normalisation is Bahdanau attention's; "
            "Luong's has `scale_attention`)",
            normalize_attention,
        )
    if score != "concat" and attention_units not in (None, query_size):
        raise invalid(
            "attention_units",
            f"None or the query's size, {query_size}, with Luong attention's {score!r} "
            f"score (a dot product with the query)",
            attention_units,
        )
    if score == "dot" and query_size != memory_size:
        raise invalid(
            "attention_score",
            f"'general' or 'concat' here: the 'dot' score needs a query of the memory's "
            f"size, and the query has {query_size} features, the memory {memory_size}",
            score,
        )
    if score == "concat":
        attention_units = attention_units or default_units
    return layers.LuongAttention(attention_units, score=score, scale=scale_attention, name=name)
