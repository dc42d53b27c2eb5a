"""Sequence to sequence with attention: translation, transliteration, dates."""

from typing import Optional

import keras

from seqkeras.models.decoder_head import attention_decoder_head
from seqkeras.models.recurrent_stack import bridge_states
from seqkeras.models.recurrent_stack import check_common_options
from seqkeras.models.recurrent_stack import recurrent_stack
from seqkeras.models.recurrent_stack import sequence_input
from seqkeras.utils.arguments import check_positive_int


def build_seq2seq(
    source_vocab_size: int,
    target_vocab_size: int,
    *,
    embedding_dim: int = 64,
    cell: str = "lstm",
    units: int = 128,
    encoder_layers: int = 1,
    decoder_layers: int = 1,
    bidirectional_encoder: bool = True,
    attention_units: Optional[int] = None,
    normalize_attention: bool = False,
    attention_layer_units: Optional[int] = None,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    name: str = "seq2seq",
) -> keras.Model:
    """Builds an attentional encoder-decoder trained with teacher forcing.

    Source token ids are embedded and read by a (bidirectional) multilayer
    encoder; its final states initialise the decoder through a `tanh` bridge
    (Bahdanau et al. 2015), and an `AttentionDecoder` attends over the
    encoder outputs at every step, padding masked out. The model maps
    `{"source_ids": (batch, source_steps), "target_ids": (batch,
    target_steps)}` — `target_ids` being the decoder inputs, `<start>` +
    target — to per-step vocabulary logits `(batch, target_steps,
    target_vocab_size)`, to be compared with target + `<end>`. Id 0 is
    padding on both sides and never counts in the loss.

    For generation, `seqkeras.models.build_inference_models(model)` returns
    an encoder and a one-step decoder that share this model's weights.

    Args:
        source_vocab_size: Positive integer, source vocabulary size.
        target_vocab_size: Positive integer, target vocabulary size.
        embedding_dim: Size of both embeddings. Defaults to `64`.
        cell: `"lstm"` or `"vanilla"`, for encoder and decoder. Defaults to
            `"lstm"`.
        units: Units per recurrent layer (per direction in the encoder).
            Defaults to `128`.
        encoder_layers: Number of stacked encoder layers. Defaults to `1`.
        decoder_layers: Number of stacked decoder cells. Defaults to `1`.
        bidirectional_encoder: Whether the encoder reads both ways. Defaults
            to `True`.
        attention_units: Size of the Bahdanau attention. Defaults to `units`.
        normalize_attention: Use the weight-normalised Bahdanau score.
            Defaults to `False`.
        attention_layer_units: Optional size of a Luong attention layer
            `tanh(W [h; c])` between decoder and logits. Defaults to `None`.
        dropout: Input dropout of the recurrent layers. Defaults to `0.`.
        recurrent_dropout: Recurrent dropout. Defaults to `0.`.
        name: Model name. Defaults to `"seq2seq"`.

    Returns:
        A `keras.Model` producing logits; compile it with
        `SparseCategoricalCrossentropy(from_logits=True)`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    model = seqkeras.models.build_seq2seq(40, 30, units=64)
    model.compile(
        keras.optimizers.Adam(clipnorm=1.0),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    ```

    References:
        - [Bahdanau et al., 2015](https://arxiv.org/abs/1409.0473)
        - [Luong et al., 2015](https://arxiv.org/abs/1508.04025)
    """
    # Checked under their own names before the shared checks would report
    # them as `vocab_size` / `num_layers`.
    check_positive_int("source_vocab_size", source_vocab_size)
    check_positive_int("encoder_layers", encoder_layers)
    check_positive_int("decoder_layers", decoder_layers)
    check_common_options(cell, units, encoder_layers, dropout, recurrent_dropout)
    source_ids, source_features = sequence_input(
        vocab_size=source_vocab_size,
        input_dim=None,
        embedding_dim=embedding_dim,
        name="source_ids",
        embedding_name="source_embedding",
    )
    target_ids = keras.Input((None,), dtype="int32", name="target_ids")
    memory, encoder_states = recurrent_stack(
        source_features,
        cell=cell,
        units=units,
        num_layers=encoder_layers,
        bidirectional=bidirectional_encoder,
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
        return_state=True,
    )
    initial_states = bridge_states(
        encoder_states, cell=cell, units=units, num_layers=decoder_layers
    )
    logits, _ = attention_decoder_head(
        target_ids,
        memory,
        initial_states,
        target_vocab_size=target_vocab_size,
        embedding_dim=embedding_dim,
        cell=cell,
        units=units,
        num_layers=decoder_layers,
        attention_units=attention_units,
        normalize_attention=normalize_attention,
        attention_layer_units=attention_layer_units,
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
    )
    return keras.Model(
        {"source_ids": source_ids, "target_ids": target_ids}, logits, name=name
    )
