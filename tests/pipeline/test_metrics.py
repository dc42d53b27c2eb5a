import itertools

import pytest

from seqkeras.metrics.sequence_metrics import edit_distance
from seqkeras.metrics.sequence_metrics import error_rate
from seqkeras.metrics.sequence_metrics import sequence_scores


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
                    candidates.append(s[:i] + s[i + 1 :])
                    candidates += [s[:i] + c + s[i + 1 :] for c in alphabet]
                next_frontier.update(c for c in candidates if c not in seen and len(c) <= 5)
        seen |= next_frontier
        frontier = next_frontier
    return steps


@pytest.mark.parametrize(
    "a, b", list(itertools.product(["", "ab", "ba", "abc"], ["", "b", "cab", "abc"]))
)
def test_edit_distance_matches_brute_force(a, b):
    assert edit_distance(a, b) == brute_force_distance(a, b)


def test_rates():
    assert error_rate([list("abcd")], [list("abed")]) == 0.25
    scores = sequence_scores(["AH B", "K AE T"], ["AH B", "K AA T"], "token")
    bleu = scores.pop("bleu")
    assert scores == {"exact_match": 0.5, "token_error_rate": 0.2, "word_error_rate": 0.5}
    # Neither hypothesis has a 4-gram, so corpus BLEU-4 is zero.
    assert bleu == 0.0
    chars = sequence_scores(["2026-11-21", "1999-01-01"], ["2026-11-21", "1999-01-02"], "char")
    assert chars["exact_match"] == 0.5
    assert chars["character_error_rate"] == pytest.approx(1 / 20)


def test_any_reference_counts_and_the_closest_one_is_scored():
    tomato = ["T AH0 M EY1 T OW2", "T AH0 M AA1 T OW2"]
    scores = sequence_scores(
        [tomato, tomato, ["K AE1 T"]],
        ["T AH0 M AA1 T OW2", "T AH0 M AA1 T OW0", "K AE1 T"],
        "token",
    )
    assert scores["exact_match"] == pytest.approx(2 / 3)
    assert scores["word_error_rate"] == pytest.approx(1 / 3)
    # One substitution against the second pronunciation, the nearest one.
    assert scores["token_error_rate"] == pytest.approx(1 / 15)


def test_normalize_applies_to_references_and_hypotheses():
    def strip_digits(text):
        return "".join(c for c in text if not c.isdigit())

    scores = sequence_scores([["AH0 B"]], ["AH1 B"], "token", normalize=strip_digits)
    assert scores["exact_match"] == 1.0
    assert scores["token_error_rate"] == 0.0


def test_bleu_matches_sacrebleu_on_words():
    import sacrebleu

    references = ["a cat sat on the mat today", "the dog ran in the park"]
    hypotheses = ["a cat sat on a mat today", "the dog ran in the park"]
    expected = sacrebleu.corpus_bleu(hypotheses, [references], tokenize="none").score
    assert 0 < expected < 100
    assert sequence_scores(references, hypotheses, "token")["bleu"] == pytest.approx(expected)
    perfect = sequence_scores(["2026-11-21"], ["2026-11-21"], "char")["bleu"]
    assert perfect == pytest.approx(100.0)
