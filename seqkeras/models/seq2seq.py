"""Sequence to sequence with attention: translation, transliteration, dates."""

from typing import Optional
from typing import Union

from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.seq2seq_model import Seq2SeqModel


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
    attention: Union[str, AttentionOptions] = "bahdanau",
    attention_units: Optional[int] = None,
    normalize_attention: bool = False,
    attention_score: Optional[str] = None,
    scale_attention: bool = False,
    attention_layer_units: Optional[int] = None,
    attention_layer_activation: str = "tanh",
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    name: str = "seq2seq",
) -> Seq2SeqModel:
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

    For generation, `model.inference_models()` returns an encoder and a
    one-step decoder that share this model's weights, also after the model
    is reloaded from a `.keras` file.

    Args:
        source_vocab_size: Positive integer, source vocabulary size.
        target_vocab_size: Positive integer, target vocabulary size.
        embedding_dim: Size of both embeddings. Defaults to `64`.
        cell: `"lstm"`, `"gru"` or `"vanilla"`, for encoder and decoder. Defaults to
            `"lstm"`.
        units: Units per recurrent layer (per direction in the encoder).
            Defaults to `128`.
        encoder_layers: Number of stacked encoder layers. Defaults to `1`.
        decoder_layers: Number of stacked decoder cells. Defaults to `1`.
        bidirectional_encoder: Whether the encoder reads both ways. Defaults
            to `True`.
        attention: `"bahdanau"` (`seqkeras.layers.BahdanauAttention`),
            `"luong"` (`seqkeras.layers.LuongAttention`), or a
            `seqkeras.models.AttentionOptions` holding the kind and every
            option below (which are then left at their defaults). Defaults
            to `"bahdanau"`.
        attention_units: Size of the attention: Bahdanau's, or Luong's
            `"concat"` score's. Defaults to `units`; Luong's `"dot"` and
            `"general"` scores have the decoder's `units`.
        normalize_attention: Use the weight-normalised Bahdanau score.
            Defaults to `False`.
        attention_score: Luong's score, `"dot"`, `"general"` or `"concat"`;
            `None` is `"general"` (Bahdanau attention has one score).
            Defaults to `None`.
        scale_attention: Multiply Luong's scores by a learned scalar.
            Defaults to `False`.
        attention_layer_units: Optional size of an attention layer
            `tanh(W [h; c])` (Luong's attentional hidden state) between
            decoder and logits. Defaults to `None`.
        attention_layer_activation: `"tanh"` or `"linear"` (TensorFlow
            Addons' `attention_layer_size`), the attention layer's
            activation. Defaults to `"tanh"`.
        dropout: Input dropout of the recurrent layers. Defaults to `0.`.
        recurrent_dropout: Recurrent dropout. Defaults to `0.`.
        name: Model name. Defaults to `"seq2seq"`.

    Returns:
        A `seqkeras.models.Seq2SeqModel`, a functional `keras.Model`
        producing logits; compile it with
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
    return Seq2SeqModel(
        source_vocab_size,
        target_vocab_size,
        embedding_dim=embedding_dim,
        cell=cell,
        units=units,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        bidirectional_encoder=bidirectional_encoder,
        attention=AttentionOptions.of(
            attention,
            attention_units=attention_units,
            normalize_attention=normalize_attention,
            attention_score=attention_score,
            scale_attention=scale_attention,
            attention_layer_units=attention_layer_units,
            attention_layer_activation=attention_layer_activation,
        ),
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
        name=name,
    )
