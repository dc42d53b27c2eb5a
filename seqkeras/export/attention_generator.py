"""The serving signatures of attention models: seq2seq and captioning."""

from typing import Callable
from typing import Optional

import keras
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStep
from seqkeras.decoding import DecodingStrategy
from seqkeras.export.generation_endpoints import GenerationEndpoints
from seqkeras.export.saved_model_writer import Endpoint
from seqkeras.models import build_inference_models


def attention_endpoints(
    model: keras.Model,
    target_vocab: Vocabulary,
    prepare: Callable,
    strategy: DecodingStrategy,
    input_spec: tf.TensorSpec,
):
    """`(generation, endpoints)` of a `build_seq2seq` / `build_one_to_many` model.

    `prepare(inputs)` turns the raw serving input into what the model's
    encoder takes (ids from strings, or the features as they are). Besides
    the decoding signatures of `GenerationEndpoints`, `encode(inputs)` ->
    `memory`, `memory_mask`, `state_0`...; and `step(token_ids, memory,
    memory_mask, state_0, ...)` -> `logits`, `alignments`, `state_0`...: one
    decoder step with the state passed in and out.
    """
    decoding_step = DecodingStep.from_model(model)
    generation = GenerationEndpoints(decoding_step, prepare, target_vocab, strategy, attention=True)
    endpoints = generation.endpoints(input_spec)

    def encode(inputs):
        states, (memory, memory_mask), _ = decoding_step.start(prepare(inputs))
        outputs = {"memory": memory, "memory_mask": memory_mask}
        outputs.update({f"state_{i}": s for i, s in enumerate(states)})
        return outputs

    def step(token_ids, memory, memory_mask, *states):
        logits, alignments, new_states = decoding_step(
            token_ids, list(states), (memory, memory_mask)
        )
        outputs = {"logits": logits, "alignments": alignments}
        outputs.update({f"state_{i}": s for i, s in enumerate(new_states)})
        return outputs

    _, step_model = build_inference_models(model)
    step_specs = [tf.TensorSpec(x.shape, x.dtype, name=x.name) for x in step_model.inputs]
    endpoints["encode"] = Endpoint(encode, [input_spec])
    endpoints["step"] = Endpoint(step, step_specs)
    return generation, endpoints


def default_text_checks(vocab: Vocabulary, extra: Optional[list] = None) -> list:
    """Check inputs every text export runs: known tokens, empty, unseen, long."""
    known = vocab.decode(range(4, min(10, len(vocab))))
    return [known, "", "\u2603\u00bf?", known * 20] + list(extra or [])
