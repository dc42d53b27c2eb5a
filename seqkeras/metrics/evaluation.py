"""What a task measured on its test split, typed: the one reader and writer of `metrics.json`.

A task builds an `Evaluation`; the runner writes it as `metrics.json`, and
the CLI and the reports read that file back through `Evaluation.load`. The
keys the file has beyond the task's own scores (`headline`, `baselines`,
`confusion_matrix`, `class_names`, `decoding`) are spelled only here.
"""

import dataclasses
import json
import pathlib
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence

import numpy as np

from seqkeras.utils.atomic_files import write_text_atomically

#: A run folder's file of figures, written by the runner, read by the CLI and reports.
METRICS_FILE = "metrics.json"

#: Keys of `metrics.json` that this module fills from typed fields.
_HEADLINE = "headline"
_BASELINES = "baselines"
_CONFUSION = "confusion_matrix"
_CLASS_NAMES = "class_names"
_DECODING = "decoding"
RESERVED_KEYS = frozenset((_HEADLINE, _BASELINES, _CONFUSION, _CLASS_NAMES, _DECODING))


@dataclasses.dataclass(frozen=True)
class AttentionExample:
    """One generated sequence's attention over its source, for a heat map.

    Attributes:
        source: The attended positions' names (source tokens, or image cells).
        target: The generated tokens.
        alignments: Weights of shape `(len(target), len(source))` or larger
            (padding rows and columns are cut off when plotted).
    """

    source: Sequence[str]
    target: Sequence[str]
    alignments: np.ndarray


@dataclasses.dataclass(frozen=True)
class ConfusionMatrix:
    """Test examples counted by true class (rows) and predicted class (columns)."""

    counts: List[List[int]]
    class_names: List[str]

    @classmethod
    def from_scores(cls, scores: Mapping[str, Any]) -> "ConfusionMatrix":
        """The matrix of `label_metrics.classification_scores`'s result."""
        return cls(counts=scores[_CONFUSION], class_names=list(scores[_CLASS_NAMES]))


@dataclasses.dataclass
class Evaluation:
    """A task's figures on the test split and what the run's report shows of them.

    Attributes:
        headline: The name of the score the run is judged by; a key of `scores`.
        scores: The task's own figures by name (JSON values: numbers, lists,
            nested tables such as `per_class`); none of `RESERVED_KEYS`.
        predictions: Sample rows for `predictions.tsv` (not in `metrics.json`).
        baselines: Figures of simple methods on the same split, by method.
        confusion: The confusion matrix of tasks that classify, or `None`.
        attention: Examples for the attention heat maps (not in `metrics.json`).
        decoding: The serialized decoding strategy of tasks that generate.
    """

    headline: str
    scores: Dict[str, Any]
    predictions: List[Dict[str, Any]] = dataclasses.field(default_factory=list)
    baselines: Dict[str, Dict[str, Any]] = dataclasses.field(default_factory=dict)
    confusion: Optional[ConfusionMatrix] = None
    attention: List[AttentionExample] = dataclasses.field(default_factory=list)
    decoding: Optional[Dict[str, Any]] = None

    def __post_init__(self):
        clashes = sorted(RESERVED_KEYS & set(self.scores))
        if clashes:
            raise ValueError(
                f"scores: {clashes} are fields of the evaluation, not scores; pass them "
                f"as headline=, baselines=, confusion= or decoding=."
            )

    @property
    def headline_value(self) -> Optional[float]:
        """The headline score, or `None` where it is not a number."""
        value = self.scores.get(self.headline)
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if is_number else None

    @property
    def metrics(self) -> Dict[str, Any]:
        """The content of `metrics.json` (a new dict each time)."""
        values = {_HEADLINE: self.headline, **self.scores}
        if self.baselines:
            values[_BASELINES] = self.baselines
        if self.confusion is not None:
            values[_CONFUSION] = self.confusion.counts
            values[_CLASS_NAMES] = self.confusion.class_names
        if self.decoding is not None:
            values[_DECODING] = self.decoding
        return values

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> "Evaluation":
        """The evaluation `metrics.json` holds (without predictions or attention)."""
        confusion = None
        if values.get(_CONFUSION) is not None:
            counts = values[_CONFUSION]
            names = values.get(_CLASS_NAMES) or [str(i) for i in range(len(counts))]
            confusion = ConfusionMatrix(counts=counts, class_names=list(names))
        baselines = values.get(_BASELINES)
        return cls(
            headline=values.get(_HEADLINE) or "",
            scores={k: v for k, v in values.items() if k not in RESERVED_KEYS},
            baselines=dict(baselines) if isinstance(baselines, Mapping) else {},
            confusion=confusion,
            decoding=values.get(_DECODING),
        )

    def write(self, path) -> None:
        """Write `metrics` as `path` (a run's `metrics.json`), atomically."""
        write_text_atomically(path, json.dumps(self.metrics, indent=2, sort_keys=True))

    @classmethod
    def load(cls, path) -> "Evaluation":
        """Read a run's `metrics.json`.

        Raises:
            OSError: The file cannot be read.
            ValueError: It is not a JSON object.
        """
        values = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError(f"{path}: expected a JSON object, found {type(values).__name__}")
        return cls.from_json(values)
