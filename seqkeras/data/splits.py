"""Deterministic train/validation/test splits that never share an example.

Examples are assigned to splits by position in a seeded permutation, so each
example lands in exactly one split and the same seed always gives the same
splits. With `groups`, every example of a group (for example every
pronunciation of a word) goes to the same split, so near-duplicates cannot
leak from training into evaluation. With ``shuffle=False`` the splits are
contiguous in the given order, which is what time series need.
"""

import math
from typing import Dict
from typing import Hashable
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence
from typing import TypeVar

import numpy as np

from seqkeras.utils.arguments import invalid

#: The splits every dataset has, in the order they are read and reported.
SPLITS = ("train", "validation", "test")

T = TypeVar("T")

DEFAULT_FRACTIONS: Dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}


def _check_fractions(fractions: Mapping[str, float]) -> Dict[str, float]:
    fractions = dict(fractions)
    if not fractions or any(
        isinstance(f, bool) or not isinstance(f, (int, float)) or f <= 0 for f in fractions.values()
    ):
        raise invalid("fractions", "positive fractions by split name", fractions)
    if not math.isclose(sum(fractions.values()), 1.0, abs_tol=1e-6):
        raise invalid("fractions", "fractions that sum to 1", fractions)
    return fractions


def split_sizes(total: int, fractions: Mapping[str, float] = DEFAULT_FRACTIONS) -> Dict[str, int]:
    """Return how many items each split gets; the sizes add up to `total`.

    Uses the largest-remainder rule, so 1,797 items at 0.8/0.1/0.1 give
    1,437/180/180.
    """
    fractions = _check_fractions(fractions)
    raw = {name: total * f for name, f in fractions.items()}
    sizes = {name: int(math.floor(value)) for name, value in raw.items()}
    order = sorted(raw, key=lambda name: (-(raw[name] - sizes[name]), list(raw).index(name)))
    for name in order[: total - sum(sizes.values())]:
        sizes[name] += 1
    return sizes


def split_indices(
    count: int,
    fractions: Mapping[str, float] = DEFAULT_FRACTIONS,
    *,
    seed: int = 0,
    groups: Optional[Sequence[Hashable]] = None,
    shuffle: bool = True,
) -> Dict[str, np.ndarray]:
    """Assign the indices ``0 .. count-1`` to named splits.

    Args:
        count: how many examples there are.
        fractions: split name -> share; shares are positive and sum to 1.
            Defaults to train 0.8, validation 0.1, test 0.1.
        seed: seed of the permutation. Defaults to 0.
        groups: one key per example; examples with the same key share a split
            and the fractions count groups, not examples. Defaults to `None`.
        shuffle: permute before splitting; `False` gives contiguous splits in
            index order (for time series). Defaults to `True`.

    Returns:
        split name -> int64 array of example indices, in permuted order.
        The arrays are disjoint and together hold every index once.
    """
    if groups is None:
        keys = np.arange(count)
        members: List[List[int]] = [[i] for i in range(count)]
    else:
        if len(groups) != count:
            raise invalid("groups", f"{count} group keys (one per example)", len(groups))
        first_seen: Dict[Hashable, int] = {}
        members = []
        for index, key in enumerate(groups):
            if key not in first_seen:
                first_seen[key] = len(members)
                members.append([])
            members[first_seen[key]].append(index)
        keys = np.arange(len(members))
    if shuffle:
        keys = np.random.default_rng(seed).permutation(keys)
    sizes = split_sizes(len(keys), fractions)
    result, start = {}, 0
    for name, size in sizes.items():
        chosen = keys[start : start + size]
        result[name] = np.array([i for key in chosen for i in members[key]], dtype=np.int64)
        start += size
    return result


def split_examples(
    examples: Sequence[T],
    fractions: Mapping[str, float] = DEFAULT_FRACTIONS,
    *,
    seed: int = 0,
    groups: Optional[Sequence[Hashable]] = None,
    shuffle: bool = True,
) -> Dict[str, List[T]]:
    """Like `split_indices`, returning the examples themselves."""
    indices = split_indices(len(examples), fractions, seed=seed, groups=groups, shuffle=shuffle)
    return {name: [examples[i] for i in chosen] for name, chosen in indices.items()}
