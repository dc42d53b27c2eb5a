"""The serving module of attention models: seq2seq and captioning."""

from typing import Callable, Dict, Optional

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStep
from seqkeras.decoding import decode
from seqkeras.decoding import generate
from seqkeras.export.text_codec import TextCodec
from seqkeras.utils.arguments import check_positive_int


class AttentionGenerator(tf.Module):
    """Generation from a `build_seq2seq` / `build_one_to_many` model in a graph.

    `prepare(inputs)` turns the raw serving input into what the model's
    encoder takes (ids from strings, or the features as they are).
    """

    def __init__(
        self,
        model: keras.Model,
        target_vocab: Vocabulary,
        prepare: Callable,
        *,
        max_length: int,
        beam_width: int,
        length_penalty_alpha: float,
    ):
        super().__init__(name="generator")
        check_positive_int("max_length", max_length)
        check_positive_int("beam_width", beam_width)
        self.model = model
        self.target = TextCodec(target_vocab)
        self.decoding_step = DecodingStep.from_model(model)
        self.step_models = list(self.decoding_step.keras_models)
        self._prepare = prepare
        self.options = {
            "greedy": {},
            "beam": {
                "beam_width": beam_width,
                "length_penalty_alpha": float(length_penalty_alpha),
            },
        }
        self.decode_options = dict(
            start_id=target_vocab.start_id,
            end_id=target_vocab.end_id,
            max_length=max_length,
        )

    def run(self, inputs, strategy: str) -> Dict[str, tf.Tensor]:
        result = decode(
            self.decoding_step,
            self._prepare(inputs),
            strategy=strategy,
            **self.decode_options,
            **self.options[strategy],
        )
        return {
            "outputs": self.target.decode(result.tokens),
            "scores": result.scores,
            "lengths": result.lengths,
            "attention": result.alignments,
        }

    def reference(self, model_inputs, strategy: str, vocab: Vocabulary) -> Dict[str, np.ndarray]:
        """The same generation in process, decoded in Python: what the check expects."""
        result = generate(
            self.decoding_step,
            model_inputs,
            strategy=strategy,
            **self.decode_options,
            **self.options[strategy],
        )
        texts = [vocab.decode(row) for row in result.tokens.numpy()]
        return {
            "outputs": np.array([t.encode("utf-8") for t in texts], dtype=object),
            "scores": result.scores.numpy(),
            "lengths": result.lengths.numpy(),
            "attention": result.alignments.numpy(),
        }

    def signatures(self, input_spec: tf.TensorSpec) -> Dict[str, Callable]:
        """`serving_default` (greedy), `beam_search`, `encode` and `step`."""
        self.serve = tf.function(
            lambda inputs: self.run(inputs, "greedy"), input_signature=[input_spec]
        )
        self.serve_beam = tf.function(
            lambda inputs: self.run(inputs, "beam"), input_signature=[input_spec]
        )
        self.encode = tf.function(self._encode, input_signature=[input_spec])
        encoder, step_model = self.step_models
        step_specs = [
            tf.TensorSpec(x.shape, x.dtype, name=x.name) for x in step_model.inputs
        ]
        self.step = tf.function(self._step, input_signature=step_specs)
        return {
            "serving_default": self.serve,
            "beam_search": self.serve_beam,
            "encode": self.encode,
            "step": self.step,
        }

    def _encode(self, inputs):
        states, (memory, memory_mask), _ = self.decoding_step.start(
            self._prepare(inputs)
        )
        outputs = {"memory": memory, "memory_mask": memory_mask}
        outputs.update({f"state_{i}": s for i, s in enumerate(states)})
        return outputs

    def _step(self, token_ids, memory, memory_mask, *states):
        logits, alignments, new_states = self.decoding_step(
            token_ids, list(states), (memory, memory_mask)
        )
        outputs = {"logits": logits, "alignments": alignments}
        outputs.update({f"state_{i}": s for i, s in enumerate(new_states)})
        return outputs


def default_text_checks(vocab: Vocabulary, extra: Optional[list] = None) -> list:
    """Check inputs every text export runs: known tokens, empty, unseen, long."""
    from seqkeras.data.tokenizers import JOINERS

    known = JOINERS[vocab.split].join(vocab.tokens[4:10])
    return [known, "", "\u2603\u00bf?", known * 20] + list(extra or [])
