"""The step interface every decoding strategy runs over."""

import weakref
from typing import Callable

import keras
import tensorflow as tf


class DecodingStep:
    """One step of a generator: previous tokens and state in, logits out.

    Decoding strategies (`greedy_search`, `sample`, `beam_search`) only see
    this interface, so they serve seq2seq, captioning and language models
    alike:

    - `start(inputs) -> (states, constants, first_ids)` prepares a batch:
      `states` is any nested structure of `(batch, ...)` tensors that
      changes at every step (LSTM `h`/`c` per layer, the fed-back attention
      vector), `constants` what every step reads unchanged (the encoder's
      memory and its mask), and `first_ids` the `(batch,)` ids to feed at
      the first step, or `None` to feed the `<start>` id.
    - `step(token_ids, states, constants) -> (logits, alignments,
      new_states)` with logits `(batch, vocab)` and alignments
      `(batch, memory_steps)` (`memory_steps` is 0 without attention).

    Args:
        start: The `start` callable above.
        step: The `step` callable above.

    Example:

    ```python
    step = seqkeras.decoding.DecodingStep.from_model(seq2seq_model)
    result = seqkeras.decoding.generate(
        step, source_ids, seqkeras.decoding.BeamSearch(5, max_length=30),
        start_id=2, end_id=3)
    ```
    """

    def __init__(self, start: Callable, step: Callable):
        self._start = start
        self._step = step

    def start(self, inputs):
        return self._start(inputs)

    def __call__(self, token_ids, states, constants=()):
        return self._step(token_ids, states, constants)

    @classmethod
    def from_model(cls, model: keras.Model) -> "DecodingStep":
        """The step of a `build_seq2seq` or `build_one_to_many` model.

        `start` takes the model's source input (token ids with 0 as padding,
        or image features); the step attends over the encoded memory.
        Runs the model's `inference_models()`, which share its weights.

        The step is made once per model and reused, so that the graphs
        `generate` compiles for it serve every caller (evaluation, export).

        Raises:
            ValueError: if `model` was not made by one of those builders.
        """
        cached = _MODEL_STEPS.get(model)
        if cached is not None:
            return cached
        from seqkeras.models import build_inference_models

        encoder, step_model = build_inference_models(model)

        def start(source):
            memory, memory_mask, *states = encoder(source)
            # Fresh tensors: the memory carries the source's Keras mask,
            # which the step model has no use for.
            memory = tf.identity(memory)
            return list(states), (memory, memory_mask), None

        def step(token_ids, states, constants):
            memory, memory_mask = constants
            logits, alignments, *new_states = step_model(
                [tf.cast(token_ids, tf.int32), memory, memory_mask, *states]
            )
            return logits, alignments, list(new_states)

        decoding_step = cls(start, step)
        _MODEL_STEPS[model] = decoding_step
        return decoding_step


_MODEL_STEPS = weakref.WeakKeyDictionary()
