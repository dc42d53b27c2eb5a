"""The attending decoder shared by the seq2seq and one-to-many models.

Both models produce a memory and initial decoder states, then hand them to
`attention_decoder_head`. It returns a `DecoderHead`: the logits, together
with Python references to the tensors and layers from which an encoder and a
one-step decoder are built for generation, sharing the model's weights. The
models build themselves again when a `.keras` file is loaded, so the
references hold there too.
"""

import dataclasses
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

import keras
import numpy as np

from seqkeras.layers import AttentionDecoder
from seqkeras.layers import ScheduledSamplingDecoder
from seqkeras.models.attention_mechanism import build_attention
from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.recurrent_stack import decoder_cell
from seqkeras.utils.arguments import check_positive_int


class _InferenceModel(keras.Model):
    """A functional model that also takes NumPy arrays beside tensors.

    Keras refuses a list that mixes them ("you cannot mix tensors and
    non-tensors"), and that is how a step is naturally called: token ids
    from NumPy, memory and states from the encoder's tensors. The encoder's
    memory carries the Keras mask of the source padding, which the step takes
    as its `memory_mask` input instead: it is dropped, not warned about.
    """

    def __call__(self, inputs, *args, **kwargs):
        inputs = keras.tree.map_structure(_as_tensor, inputs)
        return super().__call__(inputs, *args, **kwargs)


def _as_tensor(value):
    if isinstance(value, (np.ndarray, np.generic)):
        return keras.ops.convert_to_tensor(value)
    if getattr(value, "_keras_mask", None) is not None:
        return keras.ops.copy(value)  # the same values, without the mask
    return value


@dataclasses.dataclass(eq=False)
class DecoderHead:
    """An attending decoder in a model's graph, and the parts generation reuses.

    A plain object rather than a Keras one: held by the model, its layers are
    not tracked a second time and the inference models are not saved with it.

    Attributes:
        source: The model's source input (token ids or image features).
        memory: The memory the decoder attends to, `(batch, steps, dim)`.
        initial_states: The decoder's initial states (the bridge outputs).
        embedding: The target token `Embedding`.
        decoder: The `AttentionDecoder`.
        logits_layer: The `Dense` layer producing the logits.
        logits: The teacher-forced logits, `(batch, target_steps, vocab)`.
    """

    source: keras.KerasTensor
    memory: keras.KerasTensor
    initial_states: List[keras.KerasTensor]
    embedding: keras.layers.Embedding
    decoder: AttentionDecoder
    logits_layer: keras.layers.Dense
    logits: keras.KerasTensor
    _inference_models: Optional[Tuple[keras.Model, keras.Model]] = dataclasses.field(
        default=None, init=False, repr=False
    )
    _sampling_decoders: Dict[Tuple[str, Optional[int]], ScheduledSamplingDecoder] = (
        dataclasses.field(default_factory=dict, init=False, repr=False)
    )

    def inference_models(self, name: str) -> Tuple[keras.Model, keras.Model]:
        """`(encoder, step)`, named `{name}_encoder` and `{name}_step`."""
        # Built once: the encoder adds nodes to the model's own graph, and
        # after `keras.backend.clear_session()` a second set would reuse the
        # first set's auto-generated names.
        if self._inference_models is None:
            self._inference_models = (self._encoder(name), self._step(name))
        return self._inference_models

    def sampling_decoder(self, sampling: str, seed: Optional[int]) -> ScheduledSamplingDecoder:
        """The scheduled-sampling decoder over these layers, one per `(sampling, seed)`.

        Kept here rather than on the model: its random state is not one of
        the model's weights, so saved weights stay as they are.
        """
        key = (sampling, seed)
        if key not in self._sampling_decoders:
            self._sampling_decoders[key] = ScheduledSamplingDecoder(
                self.decoder, self.embedding, self.logits_layer, sampling=sampling, seed=seed
            )
        return self._sampling_decoders[key]

    def _encoder(self, name: str) -> keras.Model:
        memory = self.memory
        if self.source.dtype.startswith("int"):
            memory_mask = keras.ops.not_equal(self.source, 0)
        else:
            # Every image position is real.
            memory_mask = keras.ops.ones_like(memory[:, :, 0], dtype="bool")
        # The attention vector fed back at the first step starts at zero;
        # built from the memory so that it has the batch's (symbolic) size.
        attention_size = self.decoder.state_sizes(memory.shape[-1])[-1]
        first_attention = keras.ops.tile(
            keras.ops.zeros_like(memory[:, 0, :1]), (1, attention_size)
        )
        return _InferenceModel(
            self.source,
            [memory, memory_mask, *self.initial_states, first_attention],
            name=f"{name}_encoder",
        )

    def _step(self, name: str) -> keras.Model:
        memory_shape = self.memory.shape
        token_ids = keras.Input((), dtype="int32", name="token_ids")
        memory = keras.Input(memory_shape[1:], name="memory")
        memory_mask = keras.Input((memory_shape[1],), dtype="bool", name="memory_mask")
        states = [
            keras.Input((size,), name=f"state_{i}")
            for i, size in enumerate(self.decoder.state_sizes(memory_shape[-1]))
        ]
        embedded = self.embedding(keras.ops.expand_dims(token_ids, 1))
        outputs, alignments, new_states = self.decoder(
            embedded, memory, initial_state=states, memory_mask=memory_mask
        )
        logits = self.logits_layer(outputs)
        return _InferenceModel(
            [token_ids, memory, memory_mask, *states],
            [logits[:, 0], alignments[:, 0], *new_states],
            name=f"{name}_step",
        )


def attention_decoder_head(
    target_ids: keras.KerasTensor,
    source: keras.KerasTensor,
    memory: keras.KerasTensor,
    initial_states: List[keras.KerasTensor],
    *,
    target_vocab_size: int,
    embedding_dim: int,
    cell: str,
    units: int,
    num_layers: int,
    attention: AttentionOptions,
    dropout: float,
    recurrent_dropout: float,
) -> DecoderHead:
    """Teacher-forced decoding over `memory`, from `initial_states`.

    `target_ids` are the decoder inputs (`<start>` + target, 0 = padding);
    the memory's Keras mask, when it has one, masks attention. `source` is
    the model's input the memory was computed from.
    """
    check_positive_int("target_vocab_size", target_vocab_size)
    check_positive_int("embedding_dim", embedding_dim)
    memory = keras.layers.Identity(name="memory")(memory)
    embedding = keras.layers.Embedding(
        target_vocab_size, embedding_dim, mask_zero=True, name="target_embedding"
    )
    embedded = embedding(target_ids)
    decoder = AttentionDecoder(
        decoder_cell(cell, units, num_layers, dropout, recurrent_dropout),
        build_attention(
            attention,
            default_units=units,
            # The decoder's cell output is the query.
            query_size=units,
            memory_size=memory.shape[-1],
        ),
        attention_layer_units=attention.layer_units,
        attention_layer_activation=attention.layer_activation,
        return_state=True,
        name="decoder",
    )
    outputs, _, _ = decoder(embedded, memory, initial_state=initial_states)
    # float32 under mixed precision too: the loss's softmax of the logits
    # stays stable, and decoding compares float32 scores.
    logits_layer = keras.layers.Dense(target_vocab_size, name="logits", dtype="float32")
    return DecoderHead(
        source=source,
        memory=memory,
        initial_states=list(initial_states),
        embedding=embedding,
        decoder=decoder,
        logits_layer=logits_layer,
        logits=logits_layer(outputs),
    )
