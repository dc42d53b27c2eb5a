"""Greedy search: the most likely token at every step."""

import tensorflow as tf

from seqkeras.decoding.loop_utils import check_loop_options
from seqkeras.decoding.strategy import DecodingStrategy
from seqkeras.decoding.strategy import register_strategy
from seqkeras.decoding.token_loop import token_by_token


def greedy_search(step, states, *, start_ids, end_id, max_length, constants=()):
    """Decode by taking the argmax of the step's logits at every step.

    Graph code: call it inside a `tf.function` (as `seqkeras.decoding.generate`
    and the exports do); it is one `tf.while_loop` over the steps, batched.

    Args:
        step: Callable `step(token_ids, states, constants) -> (logits,
            alignments, new_states)`: previous token ids `(batch,)` and any
            nested structure of state tensors with the batch first, to
            `(batch, vocab)` logits, `(batch, memory_steps)` alignments
            (`memory_steps` may be 0) and new states of the same structure.
            A `seqkeras.decoding.DecodingStep` is such a callable.
        states: The initial (nested) states.
        start_ids: Scalar or `(batch,)` ids fed at the first step.
        end_id: Integer id that ends a sequence.
        max_length: Positive integer, the most tokens generated per sequence.
        constants: Nested tensors passed unchanged to every step (for
            example the memory and its mask). Defaults to `()`.

    Returns:
        A `seqkeras.decoding.DecodeResult`; `scores` are summed
        log-probabilities.

    Raises:
        ValueError: if `end_id` or `max_length` is invalid.

    Example:

    ```python
    step = seqkeras.decoding.DecodingStep.from_model(seq2seq_model)
    states, constants, _ = step.start(source_ids)
    result = greedy_search(step, states, constants=constants,
                           start_ids=2, end_id=3, max_length=40)
    ```
    """
    check_loop_options(end_id, max_length)
    return token_by_token(
        step,
        states,
        constants,
        start_ids,
        lambda t, logits: tf.argmax(logits, axis=-1, output_type=tf.int32),
        end_id=end_id,
        max_length=max_length,
    )


@register_strategy("greedy")
class Greedy(DecodingStrategy):
    """Greedy search: the most likely token at every step.

    Args:
        max_length: Positive integer, the most tokens generated per sequence.

    Example:

    ```python
    strategy = seqkeras.decoding.Greedy(max_length=12)
    result = seqkeras.decoding.generate(step, source_ids, strategy, start_id=2, end_id=3)
    ```
    """

    signature = "greedy"

    def search(self, step, states, *, start_ids, end_id, constants=(), seed=None):
        return greedy_search(
            step,
            states,
            start_ids=start_ids,
            end_id=end_id,
            max_length=self.max_length,
            constants=constants,
        )
