"""Sequence metrics computed from edit distance."""

from typing import Dict, List, Sequence


def edit_distance(reference: Sequence, hypothesis: Sequence) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
            )
        previous = current
    return previous[-1]


def error_rate(references: List[Sequence], hypotheses: List[Sequence]) -> float:
    """Total edit distance over total reference length (CER, PER, ...)."""
    errors = sum(edit_distance(r, h) for r, h in zip(references, hypotheses))
    return errors / max(1, sum(len(r) for r in references))


def sequence_scores(references: List[str], hypotheses: List[str], unit: str) -> Dict[str, float]:
    """Exact match and the `unit` error rate ("char" or "token") of strings."""
    split = list if unit == "char" else str.split
    exact = sum(r == h for r, h in zip(references, hypotheses)) / max(1, len(references))
    name = "character_error_rate" if unit == "char" else "token_error_rate"
    return {
        "exact_match": exact,
        name: error_rate([split(r) for r in references], [split(h) for h in hypotheses]),
        "word_error_rate": 1.0 - exact if unit == "token" else error_rate(
            [r.split() for r in references], [h.split() for h in hypotheses]
        ),
    }
