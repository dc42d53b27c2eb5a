"""The attending decoder shared by the seq2seq and one-to-many builders.

Both builders produce a memory, optional memory mask and initial decoder
states, then hand them to `attention_decoder_head`. The layers it creates have
fixed names (`memory`, `bridge_*`, `target_embedding`, `decoder`, `logits`),
which is what `build_inference_models` uses to rebuild an encoder and a
one-step decoder from the same weights, also after a `.keras` reload.
"""

import weakref
from typing import List, Optional, Tuple

import keras

from seqkeras.layers import AttentionDecoder
from seqkeras.layers import BahdanauAttention
from seqkeras.models.recurrent_stack import decoder_cell
from seqkeras.utils.arguments import check_optional_positive_int
from seqkeras.utils.arguments import check_positive_int


def attention_decoder_head(
    target_ids: keras.KerasTensor,
    memory: keras.KerasTensor,
    initial_states: List[keras.KerasTensor],
    *,
    target_vocab_size: int,
    embedding_dim: int,
    cell: str,
    units: int,
    num_layers: int,
    attention_units: Optional[int],
    normalize_attention: bool,
    attention_layer_units: Optional[int],
    dropout: float,
    recurrent_dropout: float,
) -> Tuple[keras.KerasTensor, keras.KerasTensor]:
    """Teacher-forced decoding: returns `(logits, alignments)`.

    `target_ids` are the decoder inputs (`<start>` + target, 0 = padding);
    the memory's Keras mask, when it has one, masks attention.
    """
    check_positive_int("target_vocab_size", target_vocab_size)
    check_positive_int("embedding_dim", embedding_dim)
    check_optional_positive_int("attention_units", attention_units)
    memory = keras.layers.Identity(name="memory")(memory)
    embedded = keras.layers.Embedding(
        target_vocab_size, embedding_dim, mask_zero=True, name="target_embedding"
    )(target_ids)
    decoder = AttentionDecoder(
        decoder_cell(cell, units, num_layers, dropout, recurrent_dropout),
        BahdanauAttention(attention_units or units, normalize=normalize_attention),
        attention_layer_units=attention_layer_units,
        return_state=True,
        name="decoder",
    )
    outputs, alignments, _ = decoder(embedded, memory, initial_state=initial_states)
    # float32 under mixed precision too: the loss's softmax of the logits
    # stays stable, and decoding compares float32 scores.
    logits = keras.layers.Dense(target_vocab_size, name="logits", dtype="float32")(outputs)
    return logits, alignments


def build_inference_models(model: keras.Model) -> Tuple[keras.Model, keras.Model]:
    """Split a seq2seq or one-to-many model into an encoder and a decoder step.

    The two models share the trained model's weights, so they can run
    generation one token at a time (greedy, sampling or beam search).

    Args:
        model: A model from `build_seq2seq` or `build_one_to_many`, freshly
            built or loaded from a `.keras` file.

    Returns:
        `(encoder, step)`. `encoder` maps the model's source input (source
        token ids, or image features) to `[memory, memory_mask, *states]`.
        `step` maps `[token_ids (batch,), memory, memory_mask, *states]` to
        `[logits (batch, vocab), alignments (batch, memory_steps),
        *new_states]`.

    Raises:
        ValueError: if `model` was not made by one of those builders.
    """
    # Built once per model: the encoder adds nodes to the model's own graph,
    # and after `keras.backend.clear_session()` a second set would reuse the
    # first set's auto-generated names.
    cached = _INFERENCE_MODELS.get(model)
    if cached is None:
        cached = _INFERENCE_MODELS[model] = _build_inference_models(model)
    return cached


_INFERENCE_MODELS = weakref.WeakKeyDictionary()


def _build_inference_models(model: keras.Model) -> Tuple[keras.Model, keras.Model]:
    try:
        memory_layer = model.get_layer("memory")
        embedding = model.get_layer("target_embedding")
        decoder = model.get_layer("decoder")
        logits_layer = model.get_layer("logits")
    except ValueError as error:
        raise ValueError(
            "Received an invalid value for `model`: expected a model built by "
            f"build_seq2seq or build_one_to_many, got {model.name!r} ({error})"
        ) from None
    bridges = sorted(
        (layer for layer in model.layers if layer.name.startswith("bridge_")),
        key=lambda layer: int(layer.name.rsplit("_", 1)[1]),
    )
    source = _source_input(model)
    memory = memory_layer.output
    if source.dtype.startswith("int"):
        memory_mask = keras.ops.not_equal(source, 0)
    else:
        # Every image position is real.
        memory_mask = keras.ops.ones_like(memory[:, :, 0], dtype="bool")
    # The attention vector fed back at the first step starts at zero; built
    # from the memory so that it has the batch's (symbolic) size.
    attention_size = decoder.state_sizes(memory.shape[-1])[-1]
    first_attention = keras.ops.tile(
        keras.ops.zeros_like(memory[:, 0, :1]), (1, attention_size)
    )
    states = [bridge.output for bridge in bridges] + [first_attention]
    encoder = keras.Model(
        source, [memory, memory_mask, *states], name=f"{model.name}_encoder"
    )

    token_ids = keras.Input((), dtype="int32", name="token_ids")
    step_memory = keras.Input(memory.shape[1:], name="memory")
    step_mask = keras.Input((memory.shape[1],), dtype="bool", name="memory_mask")
    step_states = [
        keras.Input((size,), name=f"state_{i}")
        for i, size in enumerate(decoder.state_sizes(memory.shape[-1]))
    ]
    embedded = embedding(keras.ops.expand_dims(token_ids, 1))
    outputs, alignments, new_states = decoder(
        embedded, step_memory, initial_state=step_states, memory_mask=step_mask
    )
    logits = logits_layer(outputs)
    step = keras.Model(
        [token_ids, step_memory, step_mask, *step_states],
        [logits[:, 0], alignments[:, 0], *new_states],
        name=f"{model.name}_step",
    )
    return encoder, step


def _source_input(model: keras.Model) -> keras.KerasTensor:
    inputs = model.input
    if isinstance(inputs, dict):
        return next(v for k, v in inputs.items() if k != "target_ids")
    return [x for x in inputs if x.name != "target_ids"][0]
