"""Sequence metrics: edit-distance error rates, exact match and BLEU."""

from typing import Callable
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence
from typing import Union

import sacrebleu

#: One acceptable output, or several (a word with two pronunciations).
References = Union[str, Sequence[str]]


def edit_distance(reference: Sequence, hypothesis: Sequence) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def error_rate(references: List[Sequence], hypotheses: List[Sequence]) -> float:
    """Total edit distance over total reference length (CER, PER, ...)."""
    errors = sum(edit_distance(r, h) for r, h in zip(references, hypotheses))
    return errors / max(1, sum(len(r) for r in references))


def closest_references(
    references: List[References], hypotheses: List[str], split: Callable[[str], list]
) -> List[str]:
    """For each hypothesis, the acceptable reference nearest to it.

    A word with several pronunciations is scored against the one the model
    came closest to, as g2p evaluations do (Bisani and Ney 2008): saying
    "T AH0 M EY1 T OW2" for "tomato" is not an error.
    """
    closest = []
    for alternatives, hypothesis in zip(references, hypotheses):
        if isinstance(alternatives, str):
            alternatives = [alternatives]
        units = split(hypothesis)
        closest.append(min(alternatives, key=lambda r: edit_distance(split(r), units)))
    return closest


def sequence_scores(
    references: List[References],
    hypotheses: List[str],
    unit: str,
    normalize: Optional[Callable[[str], str]] = None,
) -> Dict[str, float]:
    """Exact match, error rates and BLEU of generated strings.

    Args:
        references: per hypothesis, the reference string or a list of
            acceptable ones.
        hypotheses: the generated strings.
        unit: `"char"` (targets are character strings, such as dates) or
            `"token"` (space-separated symbols, such as phonemes or words).
        normalize: applied to references and hypotheses before scoring, for
            example to drop stress marks.

    Returns:
        `exact_match`, `character_error_rate` or `token_error_rate`,
        `word_error_rate` (for token units, the share of outputs with any
        error, as g2p reports it; for characters, over space-separated
        words) and corpus `bleu` (sacrebleu, on characters or on the tokens,
        against the closest reference).
    """
    if normalize is not None:
        references = [
            normalize(r) if isinstance(r, str) else [normalize(a) for a in r] for r in references
        ]
        hypotheses = [normalize(h) for h in hypotheses]
    split = list if unit == "char" else str.split
    closest = closest_references(references, hypotheses, split)
    exact = sum(r == h for r, h in zip(closest, hypotheses)) / max(1, len(hypotheses))
    name = "character_error_rate" if unit == "char" else "token_error_rate"
    bleu = sacrebleu.corpus_bleu(
        hypotheses, [closest], tokenize="char" if unit == "char" else "none"
    )
    return {
        "exact_match": exact,
        name: error_rate([split(r) for r in closest], [split(h) for h in hypotheses]),
        "word_error_rate": 1.0 - exact
        if unit == "token"
        else error_rate([r.split() for r in closest], [h.split() for h in hypotheses]),
        "bleu": bleu.score,
    }
