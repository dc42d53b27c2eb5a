"""`AttentionOptions`: the attention mechanism and its options, as one value."""

import dataclasses
from typing import Any
from typing import Dict
from typing import MutableMapping
from typing import Optional
from typing import Union


@dataclasses.dataclass(frozen=True)
class AttentionOptions:
    """How an attending model attends: the mechanism and its options.

    The builders take it as `attention=` (or its fields as the keyword
    arguments named in `KEYWORDS`, as before), and the models keep it whole
    through to the decoder. `get_config` writes it as those keyword
    arguments, so `.keras` files read the same before and after it existed.
    Which combinations work is checked where the layer is built
    (`seqkeras.models.attention_mechanism.build_attention`), naming the
    keyword argument.

    Attributes:
        kind: `"bahdanau"` or `"luong"`. Defaults to `"bahdanau"`.
        units: Size of Bahdanau attention or of Luong's `"concat"` score;
            `None` is the builder's `units`. Defaults to `None`.
        normalize: Bahdanau's weight-normalised score. Defaults to `False`.
        score: Luong's `"dot"`, `"general"` or `"concat"`; `None` is
            `"general"`. Defaults to `None`.
        scale: Luong's learned scalar on the scores. Defaults to `False`.
        layer_units: Size of Luong's attention layer `tanh(W [h; c])`
            between decoder and logits, or `None` for none. Defaults to `None`.
        layer_activation: That layer's activation, `"tanh"` or `"linear"`.
            Defaults to `"tanh"`.

    Example:

    ```python
    options = seqkeras.models.AttentionOptions("luong", score="dot", layer_units=64)
    model = seqkeras.models.build_seq2seq(40, 30, units=64, attention=options)
    ```
    """

    kind: str = "bahdanau"
    units: Optional[int] = None
    normalize: bool = False
    score: Optional[str] = None
    scale: bool = False
    layer_units: Optional[int] = None
    layer_activation: str = "tanh"

    #: The builders' keyword argument (and `get_config` key) of each field.
    KEYWORDS = {
        "kind": "attention",
        "units": "attention_units",
        "normalize": "normalize_attention",
        "score": "attention_score",
        "scale": "scale_attention",
        "layer_units": "attention_layer_units",
        "layer_activation": "attention_layer_activation",
    }

    @classmethod
    def of(
        cls, attention: Union[str, "AttentionOptions"] = "bahdanau", **keywords
    ) -> "AttentionOptions":
        """The options a builder's `attention=` and attention keyword arguments give.

        Args:
            attention: A kind (`"bahdanau"`, `"luong"`) or `AttentionOptions`.
            **keywords: Keyword arguments named in `KEYWORDS` (other than
                `attention`); with `AttentionOptions` they must be left at
                their defaults.

        Raises:
            ValueError: naming a keyword argument given beside
                `AttentionOptions`, or one that is not an attention option.
        """
        fields = {v: k for k, v in cls.KEYWORDS.items()}
        unknown = sorted(set(keywords) - set(fields) | ({"attention"} & set(keywords)))
        if unknown:
            raise ValueError(f"{unknown}: not attention options; expected {sorted(fields)}.")
        values = {fields[k]: v for k, v in keywords.items()}
        if not isinstance(attention, AttentionOptions):
            return cls(kind=attention, **values)
        defaults = cls()
        given = sorted(
            cls.KEYWORDS[name] for name, v in values.items() if v != getattr(defaults, name)
        )
        if given:
            raise ValueError(
                f"`{given[0]}`: given beside `attention=AttentionOptions(...)`; set it in the "
                f"AttentionOptions instead (got {keywords[given[0]]!r})."
            )
        return attention

    @classmethod
    def pop_keywords(cls, kwargs: MutableMapping[str, Any]) -> Dict[str, Any]:
        """Take the attention keyword arguments other than `attention` out of `kwargs`.

        For the models' constructors: `from_config` passes them what
        `get_config` wrote, old `.keras` files included, as keyword arguments.
        """
        names = set(cls.KEYWORDS.values()) - {"attention"}
        return {k: kwargs.pop(k) for k in list(kwargs) if k in names}

    def keywords(self) -> Dict[str, Any]:
        """The builders' keyword arguments for these options, as `get_config` writes them."""
        return {keyword: getattr(self, name) for name, keyword in self.KEYWORDS.items()}
