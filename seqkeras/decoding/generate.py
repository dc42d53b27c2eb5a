"""`generate`: run a decoding strategy as a compiled `tf.function`."""

import tensorflow as tf

from seqkeras.decoding.beam_search import beam_search
from seqkeras.decoding.greedy import greedy_search
from seqkeras.decoding.loop_utils import check_loop_options
from seqkeras.decoding.result import DecodeResult
from seqkeras.decoding.sampling import sample
from seqkeras.utils.arguments import check_choice

STRATEGIES = ("greedy", "sample", "beam")


def decode(step, inputs, *, strategy="greedy", start_id, end_id, max_length, seed=0, **options):
    """Graph code: start the step on `inputs` and run one strategy.

    Same arguments as `generate`; call it inside a `tf.function` (the
    exports do).
    """
    check_choice("strategy", strategy, STRATEGIES)
    states, constants, first_ids = step.start(inputs)
    start_ids = start_id if first_ids is None else first_ids
    common = dict(
        start_ids=start_ids,
        end_id=end_id,
        max_length=max_length,
        constants=constants,
    )
    if strategy == "greedy":
        _no_options(strategy, options)
        return greedy_search(step, states, **common)
    if strategy == "sample":
        return sample(step, states, seed=seed, **common, **options)
    return beam_search(step, states, **common, **options)


def generate(
    step,
    inputs,
    *,
    strategy="greedy",
    start_id,
    end_id,
    max_length,
    seed=0,
    **options,
) -> DecodeResult:
    """Generate sequences for a batch of inputs, as a compiled graph.

    The decoding loop runs in a `tf.function` (one `tf.while_loop`, no
    Python loop per token), compiled once per `step` and set of options and
    reused for later batches.

    Args:
        step: A `seqkeras.decoding.DecodingStep`.
        inputs: What `step.start` takes: source ids `(batch, steps)`, image
            features, or language-model prime ids.
        strategy: `"greedy"`, `"sample"` or `"beam"`. Defaults to
            `"greedy"`.
        start_id: Id fed at the first step when the step gives none.
        end_id: Id that ends a sequence.
        max_length: The most tokens generated per sequence.
        seed: Seed for `"sample"`. Defaults to `0`.
        **options: Options of the strategy: `temperature`, `top_k` for
            `sample`; `beam_width`, `length_penalty_alpha`, `n_best` for
            `beam_search`.

    Returns:
        A `seqkeras.decoding.DecodeResult` of NumPy-convertible tensors.

    Raises:
        ValueError: for an unknown strategy or an invalid option; the
            message names it.
    """
    check_choice("strategy", strategy, STRATEGIES)
    _validate(strategy, end_id, max_length, options)
    key = (strategy, start_id, end_id, max_length, tuple(sorted(options.items())))
    compiled = step._compiled.get(key)
    if compiled is None:

        def run(inputs, seed):
            return decode(
                step,
                inputs,
                strategy=strategy,
                start_id=start_id,
                end_id=end_id,
                max_length=max_length,
                seed=seed,
                **options,
            )

        compiled = tf.function(run, reduce_retracing=True)
        step._compiled[key] = compiled
    return DecodeResult(*compiled(inputs, tf.constant(seed, tf.int64)))


def _no_options(strategy, options):
    if options:
        raise ValueError(
            f"Received invalid options for strategy {strategy!r}: it takes "
            f"none, got {sorted(options)}."
        )


def _validate(strategy, end_id, max_length, options):
    # Unknown option names fail here; values are checked by the strategy
    # itself while tracing, with the same messages.
    check_loop_options(end_id, max_length)
    known = {
        "greedy": set(),
        "sample": {"temperature", "top_k"},
        "beam": {"beam_width", "length_penalty_alpha", "n_best"},
    }[strategy]
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(
            f"Received invalid options for strategy {strategy!r}: got "
            f"{unknown}; expected some of {sorted(known)}."
        )
