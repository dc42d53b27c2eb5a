"""The base of the models that generate tokens with an attending decoder."""

from typing import TYPE_CHECKING
from typing import Dict
from typing import Tuple

import keras

if TYPE_CHECKING:
    from seqkeras.models.decoder_head import DecoderHead


class AttentionGeneratorModel(keras.Model):
    """A functional model ending in an attending decoder, able to generate.

    Subclasses (`seqkeras.models.Seq2SeqModel`,
    `seqkeras.models.OneToManyModel`) build their graph in `__init__` from
    their hyper-parameters, which `get_config()` returns, so that
    `keras.saving.load_model` builds the model again and then loads its
    weights. While building they keep the parts generation needs (a
    `DecoderHead`), from which `inference_models()` makes an encoder and a
    one-step decoder sharing the model's weights, in the freshly built and
    in the reloaded model alike.

    Args:
        inputs: The model's inputs, a dict of `keras.Input`s.
        head: The `DecoderHead` the subclass built; its `logits` are the
            model's output.
        name: The model's name.
        **kwargs: Further `keras.Model` arguments, such as `trainable`.
    """

    def __init__(self, inputs, head: "DecoderHead", name: str, **kwargs):
        super().__init__(inputs=inputs, outputs=head.logits, name=name, **kwargs)
        self._decoder_head = head

    def inference_models(self) -> Tuple[keras.Model, keras.Model]:
        """The encoder and the one-step decoder, built on the first call.

        Returns:
            `(encoder, step)`, the same pair at every call. `encoder` maps
            the model's source input (source token ids, or image features)
            to `[memory, memory_mask, *states]`. `step` maps
            `[token_ids (batch,), memory, memory_mask, *states]` to
            `[logits (batch, vocab), alignments (batch, memory_steps),
            *new_states]`.
        """
        return self._decoder_head.inference_models(self.name)

    def get_config(self) -> Dict:
        # Not the functional graph: subclasses add their hyper-parameters,
        # from which `from_config` builds the graph again.
        return {"name": self.name, "trainable": self.trainable}
