"""Class and tag names from the data, and the ids the models predict."""

from typing import Dict
from typing import List
from typing import Sequence

import numpy as np

from seqkeras.data import ColumnSpec

UNSEEN = -1


def label_names(train_values: Sequence, spec: ColumnSpec) -> List[str]:
    """Names by id: the column's declared names, else the training split's values.

    Integer labels keep their order (0, 1, 2, ..., 10 after 9); names sort
    as strings. Ids stored against declared names map to those names.
    """
    if spec.names:
        return list(spec.names)
    values = set(train_values)
    if all(isinstance(v, int) for v in values):
        return [str(v) for v in sorted(values)]
    return sorted(str(v) for v in values)


def as_name(value, names: Sequence[str]) -> str:
    """The name of a label value: itself, or its declared name when it is an id."""
    # Declared names with ids in the data (tfds ClassLabel, built-in tags).
    if isinstance(value, int) and str(value) not in names and 0 <= value < len(names):
        return names[value]
    return str(value)


def label_ids(values: Sequence, names: Sequence[str]) -> np.ndarray:
    """`int32` ids of `values`; `UNSEEN` (-1) for a value not among `names`."""
    index = {name: i for i, name in enumerate(names)}
    return np.array([index.get(as_name(v, names), UNSEEN) for v in values], "int32")


def unseen_labels(values: Sequence, names: Sequence[str]) -> Dict[str, int]:
    """Values not among `names` (never seen in training) and how often each occurs."""
    known = set(names)
    counts: Dict[str, int] = {}
    for value in values:
        name = as_name(value, names)
        if name not in known:
            counts[name] = counts.get(name, 0) + 1
    return counts
