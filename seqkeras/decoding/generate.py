"""`generate`: run a decoding strategy as a compiled `tf.function`."""

import logging
import weakref

import tensorflow as tf

from seqkeras.decoding.loop_utils import check_loop_options
from seqkeras.decoding.result import DecodeResult
from seqkeras.decoding.strategy import DecodingStrategy
from seqkeras.utils.arguments import invalid


def decode(step, inputs, strategy: DecodingStrategy, *, start_id, end_id, seed=None):
    """Graph code: start the step on `inputs` and run `strategy`.

    Same arguments as `generate`; call it inside a `tf.function` (the
    exports do).
    """
    _check_strategy(strategy)
    states, constants, first_ids = step.start(inputs)
    start_ids = start_id if first_ids is None else first_ids
    return strategy.search(
        step, states, start_ids=start_ids, end_id=end_id, constants=constants, seed=seed
    )


def generate(
    step,
    inputs,
    strategy: DecodingStrategy,
    *,
    start_id: int,
    end_id: int,
    seed=None,
) -> DecodeResult:
    """Generate sequences for a batch of inputs, as a compiled graph.

    The decoding loop runs in a `tf.function` (one `tf.while_loop`, no
    Python loop per token), compiled once per `step`, strategy and ids and
    reused for later batches.

    Args:
        step: A `seqkeras.decoding.DecodingStep`.
        inputs: What `step.start` takes: source ids `(batch, steps)`, image
            features, or language-model prime ids.
        strategy: A `seqkeras.decoding.DecodingStrategy`: `Greedy`,
            `BeamSearch` or `Sampling`; it says how many tokens at most.
        start_id: Id fed at the first step when the step gives none.
        end_id: Id that ends a sequence.
        seed: Optional integer replacing a `Sampling` strategy's seed.
            Defaults to `None` (the strategy's own).

    Returns:
        A `seqkeras.decoding.DecodeResult` of NumPy-convertible tensors.

    Raises:
        ValueError: for an invalid strategy or id; the message names it.

    Example:

    ```python
    result = seqkeras.decoding.generate(
        step, source_ids, seqkeras.decoding.BeamSearch(5, max_length=30),
        start_id=2, end_id=3)
    ```
    """
    _check_strategy(strategy)
    check_loop_options(end_id, strategy.max_length)
    compiled_for_step = _COMPILED.setdefault(step, {})
    key = (strategy, start_id, end_id)
    compiled = compiled_for_step.get(key)
    if compiled is None:

        def run(inputs, seed):
            return decode(step, inputs, strategy, start_id=start_id, end_id=end_id, seed=seed)

        compiled = compiled_for_step[key] = tf.function(run, reduce_retracing=True)
    seed = getattr(strategy, "seed", 0) if seed is None else seed
    return DecodeResult(*compiled(inputs, tf.constant(seed, tf.int64)))


# Compiled functions per step, dropped with the step.
_COMPILED = weakref.WeakKeyDictionary()


class _OwnTracesFilter(logging.Filter):
    """Drops TensorFlow's "excessive retracing" warning about `generate`'s functions.

    TensorFlow counts traces per code object, and `generate` compiles one
    function (one code object) per step and strategy, each traced once, or
    twice while `reduce_retracing` generalises the shapes. A run that
    evaluates with one strategy and whose export check then runs four more
    makes five of them, which TensorFlow reports as five retracings of one
    function although none was retraced. Its warning about other functions
    is left as it is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "triggered tf.function retracing" in message
            and f"{generate.__name__}.<locals>" in message
        )


tf.get_logger().addFilter(_OwnTracesFilter())


def _check_strategy(strategy):
    if not isinstance(strategy, DecodingStrategy):
        raise invalid(
            "strategy",
            "a seqkeras.decoding strategy (Greedy, BeamSearch or Sampling)",
            strategy,
        )
