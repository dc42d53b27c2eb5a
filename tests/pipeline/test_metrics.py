import itertools

import pytest

from seqkeras.pipeline.metrics import edit_distance, error_rate, sequence_scores


def brute_force_distance(a, b):
    """Shortest edit script length by breadth-first search (tiny inputs)."""
    frontier, seen, steps = {a}, {a}, 0
    alphabet = set(a) | set(b)
    while b not in frontier:
        steps += 1
        next_frontier = set()
        for s in frontier:
            for i in range(len(s) + 1):
                candidates = [s[:i] + c + s[i:] for c in alphabet]
                if i < len(s):
                    candidates.append(s[:i] + s[i + 1:])
                    candidates += [s[:i] + c + s[i + 1:] for c in alphabet]
                next_frontier.update(c for c in candidates if c not in seen and len(c) <= 5)
        seen |= next_frontier
        frontier = next_frontier
    return steps


@pytest.mark.parametrize("a, b", list(itertools.product(["", "ab", "ba", "abc"], ["", "b", "cab", "abc"])))
def test_edit_distance_matches_brute_force(a, b):
    assert edit_distance(a, b) == brute_force_distance(a, b)


def test_rates():
    assert error_rate([list("abcd")], [list("abed")]) == 0.25
    scores = sequence_scores(["AH B", "K AE T"], ["AH B", "K AA T"], "token")
    assert scores == {"exact_match": 0.5, "token_error_rate": 0.2, "word_error_rate": 0.5}
    chars = sequence_scores(["2026-11-21", "1999-01-01"], ["2026-11-21", "1999-01-02"], "char")
    assert chars["exact_match"] == 0.5
    assert chars["character_error_rate"] == pytest.approx(1 / 20)
