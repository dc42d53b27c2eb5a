"""Splits: deterministic for a seed, disjoint, complete, group-preserving."""

import pytest

from seqkeras.data import splits


def test_sizes_add_up():
    assert splits.split_sizes(1797) == {"train": 1437, "validation": 180, "test": 180}
    assert sum(splits.split_sizes(7, {"a": 0.5, "b": 0.3, "c": 0.2}).values()) == 7


def test_deterministic_disjoint_and_complete():
    first = splits.split_indices(1000, seed=3)
    again = splits.split_indices(1000, seed=3)
    other = splits.split_indices(1000, seed=4)
    assert all((first[k] == again[k]).all() for k in first)
    assert any((first[k] != other[k]).any() for k in first)
    seen = [i for k in first for i in first[k].tolist()]
    assert sorted(seen) == list(range(1000))  # each index exactly once
    assert {k: len(v) for k, v in first.items()} == {"train": 800, "validation": 100, "test": 100}


def test_groups_stay_together():
    words = ["read", "read", "lead", "lead", "tear", "tear", "a", "b", "c", "d"]
    result = splits.split_examples(
        list(range(len(words))), {"x": 0.5, "y": 0.5}, seed=1, groups=words
    )
    where = {words[i]: name for name, items in result.items() for i in items}
    for name, items in result.items():
        for i in items:
            assert where[words[i]] == name
    assert sum(len(v) for v in result.values()) == len(words)
    # The fractions count the 7 groups, not the 10 examples.
    assert [len({words[i] for i in v}) for v in result.values()] == [4, 3]


def test_contiguous_when_not_shuffled():
    result = splits.split_indices(10, {"train": 0.6, "validation": 0.2, "test": 0.2}, shuffle=False)
    assert [v.tolist() for v in result.values()] == [[0, 1, 2, 3, 4, 5], [6, 7], [8, 9]]


def test_invalid_fractions_and_groups():
    with pytest.raises(ValueError, match="`fractions`: expected fractions that sum to 1, got"):
        splits.split_indices(10, {"train": 0.8, "test": 0.1})
    with pytest.raises(ValueError, match="`fractions`: expected positive fractions by split name"):
        splits.split_indices(10, {"train": 1.2, "test": -0.2})
    with pytest.raises(ValueError, match="`groups`: expected 10 group keys"):
        splits.split_indices(10, groups=[1, 2])
