"""`DecodingStrategy`: how tokens are chosen, one object for evaluation and export.

A pipeline builds its strategy once from the config's `evaluate:` section and
hands the same object to evaluation (`seqkeras.decoding.generate`) and to the
export (its `serving_default` signature), so what is served is what was
measured. Strategies are registered by the lower-case name configs use; the
registry is the source of the config's choices and of the error's list.
"""

import inspect
from typing import Any
from typing import Dict
from typing import Type

from seqkeras.utils.arguments import check_positive_int

#: Strategy classes by the name configs and `serialize_strategy` use.
STRATEGIES: Dict[str, Type["DecodingStrategy"]] = {}


def register_strategy(name: str):
    """Class decorator: register a `DecodingStrategy` subclass as `name`."""

    def register(cls):
        cls.name = name
        STRATEGIES[name] = cls
        return cls

    return register


class DecodingStrategy:
    """Base class of the decoding strategies: greedy, beam search, sampling.

    Subclasses implement `search` (graph code over a
    `seqkeras.decoding.DecodingStep`) and `get_config`; `from_config`
    rebuilds one from its config, and strategies with equal configs compare
    equal (the compiled-function cache of `generate` relies on it).

    Args:
        max_length: Positive integer, the most tokens generated per sequence.

    Raises:
        ValueError: if `max_length` is not a positive integer.
    """

    name = None

    #: The export signature that serves this strategy with its options as inputs.
    signature = None

    def __init__(self, max_length: int):
        self.max_length = check_positive_int("max_length", max_length)

    def signature_inputs(self) -> Dict[str, Any]:
        """The option inputs of `signature` that make an export decode as this strategy."""
        return {}

    def search(self, step, states, *, start_ids, end_id, constants=(), seed=None):
        """Graph code: decode from `states`; see `seqkeras.decoding.greedy_search`.

        `seed` (a scalar integer tensor) replaces the strategy's own seed;
        only sampling draws with one.
        """
        raise NotImplementedError

    def get_config(self) -> Dict[str, Any]:
        return {"max_length": self.max_length}

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "DecodingStrategy":
        return cls(**config)

    def describe(self) -> str:
        """A one-line description for logs: `beam (width=5, ...)`."""
        options = ", ".join(f"{k}={v!r}" for k, v in sorted(self.get_config().items()))
        return f"{self.name} ({options})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in sorted(self.get_config().items()))
        return f"{type(self).__name__}({options})"


def make_strategy(name: str, *, max_length: int, **options) -> DecodingStrategy:
    """The registered strategy `name` with `options`; options not given keep its defaults.

    The one place a strategy's name and options become the object, for
    `evaluate:` in a pipeline, `seqkeras predict`'s options and the export's
    checks alike. `options` are the strategy's constructor arguments
    (`BeamSearch`: `width`, `length_penalty`, `n_best`; `Sampling`:
    `temperature`, `top_k`, `seed`); a `None` keeps the default.

    Raises:
        ValueError: for a name that is not registered, an option the
            strategy does not take, or an invalid option value.
    """
    if name not in STRATEGIES:
        raise ValueError(
            f"Received an invalid value for `name`: expected one of "
            f"{', '.join(repr(n) for n in STRATEGIES)}, got {name!r}."
        )
    strategy = STRATEGIES[name]
    accepted = set(inspect.signature(strategy.__init__).parameters) - {"self", "max_length"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ValueError(
            f"Received an invalid value for `options`: strategy {name!r} takes "
            f"{sorted(accepted)}, got {unknown}."
        )
    given = {key: value for key, value in options.items() if value is not None}
    return strategy(max_length=max_length, **given)


def serialize_strategy(strategy: DecodingStrategy) -> Dict[str, Any]:
    """`{"name": ..., "config": {...}}`, for `metrics.json` and exports."""
    return {"name": strategy.name, "config": strategy.get_config()}


def deserialize_strategy(value: Dict[str, Any]) -> DecodingStrategy:
    """The strategy `serialize_strategy` described.

    Raises:
        ValueError: for an unknown name, listing the registered ones.
    """
    if not isinstance(value, dict) or value.get("name") not in STRATEGIES:
        name = value.get("name") if isinstance(value, dict) else value
        raise ValueError(
            "Received an invalid value for `strategy`: expected one of "
            f"{', '.join(repr(n) for n in STRATEGIES)}, got {name!r}."
        )
    # Through the one factory: an option the strategy does not take is named alike.
    return make_strategy(value["name"], **dict(value.get("config") or {}))
