"""The decoding strategy a pipeline evaluates and serves with, from `evaluate:`."""

from typing import Any
from typing import Callable
from typing import Dict
from typing import Optional

from seqkeras.decoding import DecodingStrategy
from seqkeras.decoding import make_strategy
from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.schema import EvaluateConfig
from seqkeras.pipeline.config.schema import PipelineConfig

# The options each registered strategy (seqkeras.decoding.STRATEGIES) reads
# from the `evaluate` section; a test checks that the two list the same names.
FROM_EVALUATE: Dict[str, Callable[[EvaluateConfig, int], Dict[str, Any]]] = {
    "greedy": lambda evaluate, seed: {},
    "beam": lambda evaluate, seed: {
        "width": evaluate.beam_width,
        "length_penalty": evaluate.length_penalty,
    },
    "sample": lambda evaluate, seed: {
        "temperature": evaluate.temperature,
        "top_k": evaluate.top_k,
        "seed": seed,
    },
}


def build_strategy(config: PipelineConfig, default: Optional[str]) -> Optional[DecodingStrategy]:
    """The strategy of `config.evaluate`, or `None` for a task that does not generate.

    `evaluate.strategy: null` means beam search when `evaluate.beam_width`
    is above 1, else `default` (the task's own). Sampling draws with the
    pipeline's `seed`.

    Raises:
        ConfigError: when `evaluate.beam_width` asks for a beam that the
            chosen strategy would ignore.
    """
    if default is None:
        return None
    evaluate = config.evaluate
    name = evaluate.strategy or ("beam" if evaluate.beam_width > 1 else default)
    if name != "beam" and evaluate.beam_width > 1:
        raise ConfigError(
            f"evaluate.beam_width: got {evaluate.beam_width} with evaluate.strategy "
            f"{name!r}; a beam width is for strategy 'beam' (set evaluate.strategy: beam, "
            f"or remove evaluate.beam_width)."
        )
    options = FROM_EVALUATE[name](evaluate, config.seed)
    return make_strategy(name, max_length=evaluate.max_length, **options)
