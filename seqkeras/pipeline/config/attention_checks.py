"""Checks of `model.attention` that span several of its keys.

Each key is valid on its own (the schema checks that); these reject
combinations the builders would refuse, before any data is read, naming the
key in the config's words rather than the builder argument's.
"""

from seqkeras.errors import ConfigError
from seqkeras.utils.shown import shown


def check_attention(model) -> None:
    """Reject `model.attention` options that do not belong to its `kind`.

    Args:
        model: The config's `model` section (`ModelConfig`).

    Raises:
        ConfigError: naming the key: `score` or `scale` with Bahdanau
            attention, `normalize` with Luong attention, `units` with
            Luong's dot or general score (their size is the query's),
            `layer_activation: linear` without `layer_units`.
    """
    attention = model.attention
    if attention.kind == "bahdanau":
        if attention.score is not None:
            raise _not_for("score", attention.score, "luong", attention.kind)
        if attention.scale:
            raise _not_for("scale", attention.scale, "luong", attention.kind)
    else:
        if attention.normalize:
            raise _not_for("normalize", attention.normalize, "bahdanau", attention.kind)
        score = attention.score or "general"
        if score != "concat" and attention.units is not None:
            raise ConfigError(
                f"model.attention.units: got {shown(attention.units)}; luong attention's "
                f"{score} score is a dot product with the query, so its size is the "
                f"query's (model.units). Remove the key, or set model.attention.score "
                f"to concat."
            )
    if attention.layer_activation != "tanh" and attention.layer_units is None:
        raise ConfigError(
            f"model.attention.layer_activation: got {shown(attention.layer_activation)}; it "
            f"is the activation of the attention layer, which model.attention.layer_units "
            f"adds (null here). Set layer_units, or remove the key."
        )


def check_dot_score_sizes(model, memory_size: int, memory_words: str) -> None:
    """Luong's dot score needs a memory of the decoder's size (`model.units`).

    Args:
        model: The config's `model` section.
        memory_size: Features per memory step the model will have.
        memory_words: What makes the memory that size, for the message.

    Raises:
        ConfigError: naming `model.attention.score` when the sizes differ.
    """
    attention = model.attention
    if attention.kind != "luong" or attention.score != "dot" or memory_size == model.units:
        return
    raise ConfigError(
        f"model.attention.score: got 'dot'; the dot score needs the decoder's outputs "
        f"(model.units: {model.units}) and the memory it attends over of one size, and "
        f"the memory has {memory_size} features ({memory_words}). Use general or concat, "
        f"which learn a projection between them."
    )


def _not_for(key: str, value, kind: str, configured: str) -> ConfigError:
    return ConfigError(
        f"model.attention.{key}: got {shown(value)}; it is an option of {kind} attention, and "
        f"model.attention.kind is {configured!r}. Set kind: {kind}, or remove the key."
    )
