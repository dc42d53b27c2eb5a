"""The attentional encoder-decoder that `build_seq2seq` returns."""

from typing import Union

import keras

from seqkeras.models.attention_generator_model import AttentionGeneratorModel
from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.decoder_head import attention_decoder_head
from seqkeras.models.recurrent_stack import bridge_states
from seqkeras.models.recurrent_stack import check_common_options
from seqkeras.models.recurrent_stack import recurrent_stack
from seqkeras.models.recurrent_stack import sequence_input
from seqkeras.utils.arguments import check_positive_int


@keras.saving.register_keras_serializable(package="seqkeras")
class Seq2SeqModel(AttentionGeneratorModel):
    """An attentional encoder-decoder over token ids, trained with teacher forcing.

    The functional model `seqkeras.models.build_seq2seq` returns: it builds
    its graph from the builder's arguments, and `get_config()` returns them,
    so a `.keras` file reloads by building the model again. For generation,
    `inference_models()` returns an encoder and a one-step decoder sharing
    its weights.

    Args:
        source_vocab_size: Positive integer, source vocabulary size.
        target_vocab_size: Positive integer, target vocabulary size.
        **kwargs: The other arguments of `seqkeras.models.build_seq2seq`,
            under the same names and with the same defaults (`name`
            defaults to `"seq2seq"`), and `keras.Model`'s `trainable`.

    Attributes:
        attention_options: The `seqkeras.models.AttentionOptions` built
            from `attention` and the attention keyword arguments.

    Call arguments:
        inputs: `{"source_ids": (batch, source_steps), "target_ids":
            (batch, target_steps)}`, 0 being padding on both sides.

    Returns:
        Logits `(batch, target_steps, target_vocab_size)`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    model = seqkeras.models.build_seq2seq(40, 30, units=64)
    assert isinstance(model, seqkeras.models.Seq2SeqModel)
    encoder, step = model.inference_models()
    ```
    """

    def __init__(
        self,
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
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        name: str = "seq2seq",
        **kwargs,
    ):
        # The attention keyword arguments of the builder (and of old `.keras` files).
        options = AttentionOptions.of(attention, **AttentionOptions.pop_keywords(kwargs))
        # Checked under their own names before the shared checks would
        # report them as `vocab_size` / `num_layers`.
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
        head = attention_decoder_head(
            target_ids,
            source_ids,
            memory,
            initial_states,
            target_vocab_size=target_vocab_size,
            embedding_dim=embedding_dim,
            cell=cell,
            units=units,
            num_layers=decoder_layers,
            attention=options,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
        )
        super().__init__(
            inputs={"source_ids": source_ids, "target_ids": target_ids},
            head=head,
            name=name,
            **kwargs,
        )
        self.source_vocab_size = source_vocab_size
        self.target_vocab_size = target_vocab_size
        self.embedding_dim = embedding_dim
        self.cell = cell
        self.units = units
        self.encoder_layers = encoder_layers
        self.decoder_layers = decoder_layers
        self.bidirectional_encoder = bidirectional_encoder
        #: The attention mechanism and its options.
        self.attention_options = options
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout

    def get_config(self):
        config = {
            "source_vocab_size": self.source_vocab_size,
            "target_vocab_size": self.target_vocab_size,
            "embedding_dim": self.embedding_dim,
            "cell": self.cell,
            "units": self.units,
            "encoder_layers": self.encoder_layers,
            "decoder_layers": self.decoder_layers,
            "bidirectional_encoder": self.bidirectional_encoder,
            **self.attention_options.keywords(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }
        return {**super().get_config(), **config}
