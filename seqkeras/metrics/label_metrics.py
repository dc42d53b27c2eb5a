"""Label metrics: class scores for `classify`, token and entity scores for `tag`."""

from typing import Dict
from typing import List
from typing import Sequence
from typing import Set
from typing import Tuple

import numpy as np

#: One entity: its type, first token and the token after its last one.
Entity = Tuple[str, int, int]


def classification_scores(
    labels: Sequence[int], predicted: Sequence[int], class_names: Sequence[str]
) -> dict:
    """Accuracy, macro F1, per-class scores and the confusion matrix.

    A class with no true and no predicted examples has no F1 and is left out
    of `macro_f1` (its `per_class` entry is all zeros); a class that is
    predicted but never true has F1 0 and counts in the mean. This is
    scikit-learn's `f1_score(average="macro")` over the classes present in
    `labels` or `predicted`.

    Args:
        labels: the true class id of each example, in `[0, len(class_names))`.
        predicted: the predicted class id of each example, as many as `labels`.
        class_names: the name of each class id, unique.

    Returns:
        A dict with `accuracy`; `macro_f1`; `per_class`, mapping each name to
        its `precision`, `recall`, `f1` and `support` (true examples), with
        0 for a ratio whose denominator is 0; `confusion_matrix`, a list of
        rows, one per true class, counting each predicted class, both in
        `class_names` order; and `class_names`.

    Raises:
        ValueError: if an argument is empty, `labels` and `predicted` differ
            in length, an id is not an integer in range, or a name repeats.

    Example:

    ```python
    >>> from seqkeras.metrics.label_metrics import classification_scores
    >>> scores = classification_scores([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    >>> scores["accuracy"], scores["confusion_matrix"]
    (0.6666666666666666, [[1, 0], [1, 1]])
    ```
    """
    names = _unique_names(class_names, "class_names")
    true = _class_ids(labels, "labels", len(names))
    guess = _class_ids(predicted, "predicted", len(names))
    if len(true) != len(guess):
        raise ValueError(
            "`labels` and `predicted` must have the same length; got "
            f"{len(true)} labels and {len(guess)} predictions."
        )
    confusion = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(confusion, (true, guess), 1)
    per_class, macro_f1 = _scores_from_confusion(confusion, names)
    return {
        "accuracy": float(np.trace(confusion) / len(true)),
        "macro_f1": macro_f1,
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
        "class_names": list(names),
    }


def tag_scores(
    true_tags: Sequence[Sequence[str]],
    predicted_tags: Sequence[Sequence[str]],
    tag_names: Sequence[str],
) -> dict:
    """Token scores of a tagger and, for BIO tags, CoNLL entity scores.

    Token `macro_f1` follows `classification_scores`: a tag that is neither
    true nor predicted anywhere is left out of the mean. When `tag_names` are
    BIO tags (`is_bio`), entities are read from each sentence by
    `bio_entities` and scored as the CoNLL shared task's `conlleval` script
    scores them: a predicted entity is correct only if a true one has the
    same type, start and end. IOB1 tags (`I-X` after `O` starts an entity)
    are read the same way, as `conlleval` reads them.

    Args:
        true_tags: per sentence, the true tag of each token.
        predicted_tags: per sentence, the predicted tag of each token, as
            many sentences as `true_tags`, each as long as its true one.
        tag_names: every tag the sentences may use, unique.

    Returns:
        A dict with token `accuracy`, token `macro_f1` and `per_tag` (each
        tag's `precision`, `recall`, `f1` and `support`, as in
        `classification_scores`). For BIO tags, also `entity_precision`,
        `entity_recall`, `entity_f1` (over all entities; 0 when undefined) and
        `per_entity`, mapping each entity type in `tag_names` to its
        `precision`, `recall`, `f1` and `support` (true entities).

    Raises:
        ValueError: if an argument is empty or has no tokens, the sentences
            differ in number or length, a tag is not in `tag_names`, or a
            name repeats.

    Example:

    ```python
    >>> from seqkeras.metrics.label_metrics import tag_scores
    >>> scores = tag_scores(
    ...     [["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]], ["O", "B-PER", "I-PER"]
    ... )
    >>> scores["accuracy"], scores["entity_f1"]
    (0.6666666666666666, 0.0)
    ```

    References:
        - [Tjong Kim Sang and Buchholz 2000](https://aclanthology.org/W00-0726/),
          Introduction to the CoNLL-2000 shared task: chunking (`conlleval`).
        - [Ramshaw and Marcus 1995](https://aclanthology.org/W95-0107/),
          Text chunking using transformation-based learning (IOB tags).
    """
    names = _unique_names(tag_names, "tag_names")
    for argument, sentences in (("true_tags", true_tags), ("predicted_tags", predicted_tags)):
        if len(sentences) == 0:
            raise ValueError(
                f"Received an invalid value for `{argument}`: expected at least one "
                f"sentence, got {list(sentences)!r}."
            )
    if len(true_tags) != len(predicted_tags):
        raise ValueError(
            "`true_tags` and `predicted_tags` must have the same number of sentences; "
            f"got {len(true_tags)} and {len(predicted_tags)}."
        )
    for index, (true, guess) in enumerate(zip(true_tags, predicted_tags)):
        if len(true) != len(guess):
            raise ValueError(
                f"Sentence {index} has {len(true)} tags in `true_tags` but {len(guess)} "
                "in `predicted_tags`; each predicted sentence must be as long as its "
                "true one."
            )
    ids = {name: i for i, name in enumerate(names)}
    true = _tag_ids(true_tags, "true_tags", ids)
    guess = _tag_ids(predicted_tags, "predicted_tags", ids)
    if len(true) == 0:
        raise ValueError(
            "Received an invalid value for `true_tags`: expected at least one tag, got "
            f"{len(true_tags)} empty sentences."
        )
    confusion = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(confusion, (true, guess), 1)
    per_tag, macro_f1 = _scores_from_confusion(confusion, names)
    scores = {
        "accuracy": float(np.trace(confusion) / len(true)),
        "macro_f1": macro_f1,
        "per_tag": per_tag,
    }
    if is_bio(names):
        scores.update(_entity_scores(true_tags, predicted_tags, names))
    return scores


def is_bio(tag_names: Sequence[str]) -> bool:
    """Whether every tag is `O`, `B-X` or `I-X` (BIO, IOB1 or IOB2), and one is not `O`."""
    return all(tag == "O" or _bio_type(tag) for tag in tag_names) and any(
        tag != "O" for tag in tag_names
    )


def bio_entities(tags: Sequence[str]) -> List[Entity]:
    """The entities of one sentence of BIO tags, as `conlleval` reads them.

    An entity starts at a `B-X`, or at an `I-X` that follows `O` or a tag of
    another type, and runs over the `I-X` tags that follow it.

    Args:
        tags: the tag of each token: `O`, `B-X` or `I-X`.

    Returns:
        `(type, start, end)` per entity in order, `end` one past the last token.

    Raises:
        ValueError: if a tag is not `O`, `B-X` or `I-X`.

    Example:

    ```python
    >>> from seqkeras.metrics.label_metrics import bio_entities
    >>> bio_entities(["B-PER", "I-PER", "I-LOC", "O", "I-LOC"])
    [('PER', 0, 2), ('LOC', 2, 3), ('LOC', 4, 5)]
    ```
    """
    entities = []
    start, kind = None, ""
    for position, tag in enumerate(tags):
        tag_type = _bio_type(tag)
        if tag != "O" and not tag_type:
            raise ValueError(
                "Received an invalid value for `tags`: expected BIO tags (O, B-X or I-X), "
                f"got {tag!r} at position {position}."
            )
        continues = tag.startswith("I-") and tag_type == kind
        if start is not None and not continues:
            entities.append((kind, start, position))
            start = None
        if start is None and tag != "O":
            start, kind = position, tag_type
    if start is not None:
        entities.append((kind, start, len(tags)))
    return entities


def _bio_type(tag: str) -> str:
    """The `X` of `B-X` or `I-X` (a type may hold hyphens), else ``""``."""
    if isinstance(tag, str) and tag[:2] in ("B-", "I-"):
        return tag[2:]
    return ""


def _entity_scores(
    true_tags: Sequence[Sequence[str]],
    predicted_tags: Sequence[Sequence[str]],
    tag_names: Sequence[str],
) -> dict:
    types = list(dict.fromkeys(_bio_type(tag) for tag in tag_names if tag != "O"))
    true: Set[Tuple[int, Entity]] = set()
    found: Set[Tuple[int, Entity]] = set()
    for index, (sentence, guess) in enumerate(zip(true_tags, predicted_tags)):
        true.update((index, entity) for entity in bio_entities(sentence))
        found.update((index, entity) for entity in bio_entities(guess))
    correct = true & found

    def count(entities, kind=None):
        return sum(1 for _, entity in entities if kind is None or entity[0] == kind)

    precision, recall, f1 = _ratios(count(correct), count(found), count(true))
    per_entity = {}
    for kind in types:
        p, r, f = _ratios(count(correct, kind), count(found, kind), count(true, kind))
        per_entity[kind] = {"precision": p, "recall": r, "f1": f, "support": count(true, kind)}
    return {
        "entity_precision": precision,
        "entity_recall": recall,
        "entity_f1": f1,
        "per_entity": per_entity,
    }


def _ratios(correct: int, found: int, true: int) -> Tuple[float, float, float]:
    """Precision, recall and F1, each 0 when its denominator is 0."""
    precision = correct / found if found else 0.0
    recall = correct / true if true else 0.0
    f1 = 2 * correct / (found + true) if correct else 0.0
    return precision, recall, f1


def _scores_from_confusion(
    confusion: np.ndarray, names: Sequence[str]
) -> Tuple[Dict[str, dict], float]:
    """Per-class scores and their macro F1 over the classes that occur."""
    per_class, f1s = {}, []
    for i, name in enumerate(names):
        hits, found, true = (
            int(confusion[i, i]),
            int(confusion[:, i].sum()),
            int(confusion[i].sum()),
        )
        precision, recall, f1 = _ratios(hits, found, true)
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1, "support": true}
        if found or true:
            f1s.append(f1)
    return per_class, float(np.mean(f1s))


def _unique_names(names: Sequence[str], argument: str) -> List[str]:
    names = list(names)
    if not names:
        raise ValueError(
            f"Received an invalid value for `{argument}`: expected at least one name, got []."
        )
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(
                f"Received an invalid value for `{argument}`: expected unique names, got "
                f"{name!r} more than once."
            )
        seen.add(name)
    return names


def _class_ids(values: Sequence[int], argument: str, num_classes: int) -> np.ndarray:
    ids = np.asarray(values)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(
            f"Received an invalid value for `{argument}`: expected a non-empty "
            f"sequence of class ids, got {values!r}."
        )
    # The elements as given, so that the error shows the value passed (a list
    # holding one float would otherwise be shown as all floats).
    items = ids.tolist() if isinstance(values, np.ndarray) else list(values)
    for position, value in enumerate(items):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(
                f"Received an invalid value for `{argument}`: expected integer class ids, "
                f"got {value!r} at position {position}."
            )
        if not 0 <= value < num_classes:
            raise ValueError(
                f"Received an invalid value for `{argument}`: expected class ids in "
                f"[0, {num_classes}) (one per name in `class_names`), got {int(value)} "
                f"at position {position}."
            )
    return ids.astype(np.int64)


def _tag_ids(sentences: Sequence[Sequence[str]], argument: str, ids: Dict[str, int]) -> np.ndarray:
    flat = []
    for index, sentence in enumerate(sentences):
        for position, tag in enumerate(sentence):
            if tag not in ids:
                raise ValueError(
                    f"Received an invalid value for `{argument}[{index}][{position}]`: "
                    f"expected one of `tag_names` ({', '.join(ids)}), got {tag!r}."
                )
            flat.append(ids[tag])
    return np.asarray(flat, dtype=np.int64)
