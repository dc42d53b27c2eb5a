"""Simple baselines measured beside the model on the same test split.

A figure means little without the one a simple method reaches on the same
data: `classify` reports the majority class and, for text, TF-IDF n-grams
with logistic regression; `tag` reports each token's most frequent tag.
They are scored with the functions that score the model
(`seqkeras/metrics/label_metrics.py`), so the numbers compare directly.
"""

import collections
from typing import Dict
from typing import List
from typing import Sequence

import numpy as np

from seqkeras.metrics.label_metrics import classification_scores
from seqkeras.metrics.label_metrics import tag_scores

#: N-gram lengths of the TF-IDF baseline, by how the model splits text:
#: words and their pairs, runs of one to three SentencePiece pieces, or of
#: one to four characters.
NGRAMS = {"char": (1, 4), "subword": (1, 3), "word": (1, 2), "whitespace": (1, 2)}

_TAG_FIGURES = ("accuracy", "macro_f1", "entity_precision", "entity_recall", "entity_f1")


def class_figures(labels: Sequence[int], predicted: Sequence[int], names: Sequence[str]) -> dict:
    """Accuracy and macro F1 as `classify` reports them.

    A true label of -1 (never seen in training) counts as an error in
    `accuracy` and is left out of `macro_f1`, whose classes it has none of.
    """
    labels = np.asarray(labels)
    predicted = np.asarray(predicted)
    seen = labels >= 0
    figures = {"accuracy": float(np.mean(labels == predicted))}
    figures["macro_f1"] = (
        classification_scores(labels[seen], predicted[seen], names)["macro_f1"]
        if seen.any()
        else 0.0
    )
    return figures


def majority_class(
    train_labels: Sequence[int], test_labels: Sequence[int], names: Sequence[str]
) -> dict:
    """Predict the most frequent training class (the lowest id on a tie) for every example.

    Args:
        train_labels: class ids of the training examples.
        test_labels: class ids of the test examples; -1 for a label never seen
            in training.
        names: class names by id.

    Returns:
        `prediction` (the class name), `accuracy` and `macro_f1`.
    """
    counts = np.bincount(np.asarray(train_labels), minlength=len(names))
    best = int(np.argmax(counts))
    predicted = np.full(len(test_labels), best)
    return {"prediction": names[best], **class_figures(test_labels, predicted, names)}


def tfidf_logistic_regression(
    train_tokens: Sequence[Sequence[str]],
    train_labels: Sequence[int],
    test_tokens: Sequence[Sequence[str]],
    test_labels: Sequence[int],
    names: Sequence[str],
    split: str,
    seed: int = 0,
) -> dict:
    """TF-IDF over n-grams of the model's tokens, then logistic regression.

    Fit on the training split, scored on the test split. The n-grams are
    made of the tokens the model reads (`NGRAMS[split]` long), so the
    baseline sees exactly the model's input. Needs scikit-learn (the
    `datasets` extra); without it, the result says it was skipped and why.

    Args:
        train_tokens: the tokens of each training example.
        train_labels: their class ids.
        test_tokens: the tokens of each test example.
        test_labels: their class ids; -1 for a label never seen in training.
        names: class names by id.
        split: how the model splits text: `char`, `subword`, `word` or `whitespace`.
        seed: the logistic regression's random state. Defaults to 0.

    Returns:
        `accuracy`, `macro_f1` and the `ngram_range`, or `skipped` with the reason.
    """
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return {"skipped": "scikit-learn is not installed (pip install 'seqkeras[datasets]')"}
    if len(set(np.asarray(train_labels).tolist())) < 2:
        return {"skipped": "the training split has a single class"}
    ngrams = NGRAMS[split]
    vectorizer = TfidfVectorizer(
        analyzer=_identity,
        # The n-grams are built here: `analyzer` replaces the vectorizer's own.
        sublinear_tf=True,
    )
    train = vectorizer.fit_transform([_ngrams(t, ngrams) for t in train_tokens])
    test = vectorizer.transform([_ngrams(t, ngrams) for t in test_tokens])
    model = LogisticRegression(max_iter=1000, random_state=seed)
    model.fit(train, np.asarray(train_labels))
    predicted = model.predict(test)
    return {
        "ngram_range": list(ngrams),
        **class_figures(test_labels, predicted, names),
    }


def majority_tags(
    train_tokens: Sequence[Sequence[str]],
    train_tags: Sequence[Sequence[str]],
    test_tokens: Sequence[Sequence[str]],
    test_tags: Sequence[Sequence[str]],
    tag_names: Sequence[str],
) -> dict:
    """Tag each token with its most frequent training tag.

    A token training never had gets the most frequent tag overall. Ties go
    to the tag first in `tag_names`.

    Args:
        train_tokens, train_tags: the training sentences' tokens and tags.
        test_tokens, test_tags: the test sentences' tokens and true tags.
        tag_names: every tag the test tags may use (training's, then any
            unseen ones), as the model's scores are given them.

    Returns:
        Token `accuracy` and `macro_f1` and, for BIO tags, `entity_precision`,
        `entity_recall` and `entity_f1`, as `tag_scores` computes them.
    """
    order = {tag: i for i, tag in enumerate(tag_names)}
    by_token: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    overall: collections.Counter = collections.Counter()
    for tokens, tags in zip(train_tokens, train_tags):
        for token, tag in zip(tokens, tags):
            by_token[token][tag] += 1
            overall[tag] += 1

    def most_frequent(counts):
        return min(counts, key=lambda tag: (-counts[tag], order.get(tag, len(order)), tag))

    fallback = most_frequent(overall)
    best = {token: most_frequent(counts) for token, counts in by_token.items()}
    predicted = [[best.get(token, fallback) for token in tokens] for tokens in test_tokens]
    scores = tag_scores(test_tags, predicted, tag_names)
    return {
        "unknown_token_tag": fallback,
        **{name: scores[name] for name in _TAG_FIGURES if name in scores},
    }


def _identity(value):
    return value


def _ngrams(tokens: Sequence[str], lengths) -> List[str]:
    """Every run of `lengths[0]` to `lengths[1]` tokens, joined by a separator no token holds."""
    tokens = list(tokens)
    grams = []
    for n in range(lengths[0], lengths[1] + 1):
        grams.extend("\x1f".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams
