import re

import numpy as np
import pytest
import seqeval.metrics
from seqeval.metrics.sequence_labeling import get_entities
from sklearn import metrics as sk

from seqkeras.metrics.label_metrics import bio_entities
from seqkeras.metrics.label_metrics import classification_scores
from seqkeras.metrics.label_metrics import is_bio
from seqkeras.metrics.label_metrics import tag_scores

BIO = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
SCORE_KEYS = {"precision", "recall", "f1", "support"}


def assert_matches_sklearn(labels, predicted, names):
    scores = classification_scores(labels, predicted, names)
    ids = list(range(len(names)))
    present = sorted(set(labels) | set(predicted))
    assert scores["accuracy"] == pytest.approx(sk.accuracy_score(labels, predicted))
    assert scores["macro_f1"] == pytest.approx(
        sk.f1_score(labels, predicted, average="macro", labels=present, zero_division=0)
    )
    precision, recall, f1, support = sk.precision_recall_fscore_support(
        labels, predicted, labels=ids, zero_division=0
    )
    for i, name in enumerate(names):
        per_class = scores["per_class"][name]
        assert per_class["precision"] == pytest.approx(precision[i])
        assert per_class["recall"] == pytest.approx(recall[i])
        assert per_class["f1"] == pytest.approx(f1[i])
        assert per_class["support"] == support[i]
    assert scores["confusion_matrix"] == sk.confusion_matrix(labels, predicted, labels=ids).tolist()
    assert scores["class_names"] == list(names)
    return scores


@pytest.mark.parametrize("seed", range(6))
def test_classification_matches_sklearn_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    num_classes = int(rng.integers(2, 9))
    names = [f"class_{i}" for i in range(num_classes)]
    # Draw from a subset so that some classes are absent from labels, predictions or both.
    used = rng.choice(num_classes, size=max(1, num_classes - 2), replace=False)
    size = int(rng.integers(1, 60))
    labels = rng.choice(used, size=size).tolist()
    predicted = [
        int(rng.integers(num_classes)) if rng.random() < 0.4 else label for label in labels
    ]
    assert_matches_sklearn(labels, predicted, names)


def test_classification_accepts_numpy_arrays():
    labels, predicted = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1], dtype=np.int32)
    assert_matches_sklearn(labels.tolist(), predicted.tolist(), ["a", "b", "c"])
    assert classification_scores(labels, predicted, ["a", "b", "c"]) == classification_scores(
        labels.tolist(), predicted.tolist(), ["a", "b", "c"]
    )


def test_classification_by_hand():
    scores = classification_scores([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ["a", "b", "c", "d"])
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["confusion_matrix"] == [[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    assert scores["per_class"] == {
        "a": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2},
        "b": {"precision": pytest.approx(2 / 3), "recall": 1.0, "f1": 0.8, "support": 2},
        "c": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1},
        "d": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0},
    }
    # "d" is neither true nor predicted, so it is left out of the mean.
    assert scores["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert scores["class_names"] == ["a", "b", "c", "d"]


def test_a_class_predicted_but_never_true_counts_with_f1_zero():
    scores = classification_scores([0, 0], [0, 1], ["a", "b"])
    assert scores["per_class"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 0.0) / 2)


def test_all_predictions_of_one_class():
    labels = np.random.default_rng(7).integers(0, 3, size=40).tolist()
    scores = assert_matches_sklearn(labels, [1] * len(labels), ["a", "b", "c"])
    assert [row[0] for row in scores["confusion_matrix"]] == [0, 0, 0]
    assert scores["per_class"]["b"]["recall"] == 1.0
    assert scores["per_class"]["a"]["precision"] == 0.0
    assert scores["accuracy"] == pytest.approx(labels.count(1) / 40)


def test_classification_scores_are_plain_python():
    scores = classification_scores(np.array([0, 1]), np.array([1, 1]), ["a", "b"])
    assert type(scores["accuracy"]) is float and type(scores["macro_f1"]) is float
    assert all(type(v) is int for row in scores["confusion_matrix"] for v in row)
    assert type(scores["per_class"]["a"]["support"]) is int


@pytest.mark.parametrize(
    "labels, predicted, names, message",
    [
        (
            [],
            [],
            ["a"],
            "Received an invalid value for `labels`: expected a non-empty sequence of class ids, got [].",
        ),
        (
            [0],
            [],
            ["a"],
            "Received an invalid value for `predicted`: expected a non-empty sequence of class ids, got [].",
        ),
        (
            [0],
            [0],
            [],
            "Received an invalid value for `class_names`: expected at least one name, got [].",
        ),
        (
            [0, 1],
            [0, 3],
            ["a", "b", "c"],
            "Received an invalid value for `predicted`: expected class ids in [0, 3) (one per name in `class_names`), got 3 at position 1.",
        ),
        (
            [0, 1],
            [-1, 0],
            ["a", "b"],
            "Received an invalid value for `predicted`: expected class ids in [0, 2) (one per name in `class_names`), got -1 at position 0.",
        ),
        (
            [0, 2],
            [0, 0],
            ["a", "b"],
            "Received an invalid value for `labels`: expected class ids in [0, 2) (one per name in `class_names`), got 2 at position 1.",
        ),
        (
            [0, 0.5],
            [0, 0],
            ["a", "b"],
            "Received an invalid value for `labels`: expected integer class ids, got 0.5 at position 1.",
        ),
        (
            [0, 1, 1],
            [0, 1],
            ["a", "b"],
            "`labels` and `predicted` must have the same length; got 3 labels and 2 predictions.",
        ),
        (
            [0],
            [0],
            ["a", "b", "a"],
            "Received an invalid value for `class_names`: expected unique names, got 'a' more than once.",
        ),
    ],
)
def test_classification_errors(labels, predicted, names, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        classification_scores(labels, predicted, names)


@pytest.mark.parametrize(
    "tags, entities",
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [("PER", 0, 2), ("LOC", 3, 4)]),
        # I- after O starts an entity (IOB1), as in conlleval.
        (["O", "I-PER", "I-PER", "O"], [("PER", 1, 3)]),
        (["I-PER"], [("PER", 0, 1)]),
        # A change of type ends one entity and starts the next, B- or I-.
        (["B-PER", "I-LOC", "I-LOC"], [("PER", 0, 1), ("LOC", 1, 3)]),
        (["I-PER", "B-LOC", "I-PER"], [("PER", 0, 1), ("LOC", 1, 2), ("PER", 2, 3)]),
        # B- right after an entity of the same type starts a new one.
        (["B-PER", "I-PER", "B-PER", "I-PER"], [("PER", 0, 2), ("PER", 2, 4)]),
        (["I-ORG", "B-ORG"], [("ORG", 0, 1), ("ORG", 1, 2)]),
        # Entities that run to the end of the sentence.
        (["O", "O", "B-ORG", "I-ORG"], [("ORG", 2, 4)]),
        (["O", "B-ORG"], [("ORG", 1, 2)]),
        # A type may contain hyphens; only the prefix is split off.
        (["B-GPE-CITY", "I-GPE-CITY"], [("GPE-CITY", 0, 2)]),
        (["O", "O"], []),
        ([], []),
    ],
)
def test_bio_entities_by_hand_and_as_seqeval_reads_them(tags, entities):
    assert bio_entities(tags) == entities
    # seqeval's ends are inclusive.
    assert bio_entities(tags) == [(kind, start, end + 1) for kind, start, end in get_entities(tags)]


def test_bio_entities_rejects_other_tags():
    message = "Received an invalid value for `tags`: expected BIO tags (O, B-X or I-X), got 'NN' at position 1."
    with pytest.raises(ValueError, match=re.escape(message)):
        bio_entities(["O", "NN"])
    with pytest.raises(ValueError, match=re.escape("got 'B-' at position 0.")):
        bio_entities(["B-"])


@pytest.mark.parametrize(
    "names, expected",
    [
        (BIO, True),
        (["B-PER", "I-PER"], True),
        (["O", "B-NP", "I-NP", "B-VP-X"], True),
        (["inside", "word_start"], False),
        (["NN", "VB", "DT", "O"], False),
        (["O", "B-PER", "E-PER"], False),
        (["O", "B-"], False),
        (["O"], False),
    ],
)
def test_is_bio(names, expected):
    assert is_bio(names) is expected


def assert_matches_seqeval(true, predicted, names):
    scores = tag_scores(true, predicted, names)
    options = {"zero_division": 0}
    assert scores["entity_precision"] == pytest.approx(
        seqeval.metrics.precision_score(true, predicted, **options)
    )
    assert scores["entity_recall"] == pytest.approx(
        seqeval.metrics.recall_score(true, predicted, **options)
    )
    assert scores["entity_f1"] == pytest.approx(
        seqeval.metrics.f1_score(true, predicted, **options)
    )
    assert scores["accuracy"] == pytest.approx(seqeval.metrics.accuracy_score(true, predicted))
    report = seqeval.metrics.classification_report(true, predicted, output_dict=True, **options)
    for kind, entity in scores["per_entity"].items():
        expected = report.get(kind, {"precision": 0, "recall": 0, "f1-score": 0, "support": 0})
        assert entity["precision"] == pytest.approx(expected["precision"])
        assert entity["recall"] == pytest.approx(expected["recall"])
        assert entity["f1"] == pytest.approx(expected["f1-score"])
        assert entity["support"] == expected["support"]
    # seqeval reports exactly the types that occur; per_entity lists every type.
    occurring = {k for k in report if k not in ("micro avg", "macro avg", "weighted avg")}
    assert occurring <= set(scores["per_entity"])
    return scores


@pytest.mark.parametrize(
    "true, predicted",
    [
        ([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]]),
        ([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]]),
        ([["B-PER", "I-PER", "I-LOC"]], [["B-PER", "I-PER", "B-LOC"]]),
        ([["O", "I-PER", "I-PER"]], [["O", "B-PER", "I-PER"]]),
        ([["I-ORG", "I-PER", "O", "I-LOC"]], [["B-ORG", "B-PER", "O", "I-LOC"]]),
        ([["B-LOC", "B-LOC", "I-LOC"]], [["B-LOC", "I-LOC", "I-LOC"]]),
        ([["O", "O", "B-ORG"], ["I-ORG", "O"]], [["O", "O", "B-ORG"], ["B-ORG", "O"]]),
        ([["B-PER"], ["I-PER"]], [["B-PER"], ["B-PER"]]),
        ([["O", "B-LOC"], ["B-LOC", "O"]], [["O", "O"], ["O", "O"]]),
    ],
)
def test_tag_scores_match_seqeval_on_hand_written_cases(true, predicted):
    assert_matches_seqeval(true, predicted, BIO)


@pytest.mark.parametrize("seed", range(6))
def test_tag_scores_match_seqeval_and_sklearn_on_random_tags(seed):
    rng = np.random.default_rng(seed)
    names = BIO + ["B-GPE-CITY", "I-GPE-CITY"]
    # Random draws give every odd case: I- after O, type changes, entities at the end.
    true = [rng.choice(names, size=int(rng.integers(1, 15))).tolist() for _ in range(20)]
    predicted = [
        [str(rng.choice(names)) if rng.random() < 0.3 else tag for tag in sentence]
        for sentence in true
    ]
    scores = assert_matches_seqeval(true, predicted, names)
    flat_true = [names.index(t) for s in true for t in s]
    flat_predicted = [names.index(t) for s in predicted for t in s]
    tokens = classification_scores(flat_true, flat_predicted, names)
    assert scores["macro_f1"] == tokens["macro_f1"]
    assert scores["per_tag"] == tokens["per_class"]
    present = sorted(set(flat_true) | set(flat_predicted))
    assert scores["macro_f1"] == pytest.approx(
        sk.f1_score(flat_true, flat_predicted, average="macro", labels=present, zero_division=0)
    )
    assert 0 < scores["entity_f1"] < 1


def test_tag_scores_by_hand():
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["I-ORG", "I-ORG", "O"]]
    predicted = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "I-ORG", "I-LOC"]]
    scores = tag_scores(true, predicted, BIO)
    # Tokens: 3 of 4 right in the first sentence, 1 of 3 in the second.
    assert scores["accuracy"] == pytest.approx(4 / 7)
    # Entities: true PER, LOC and ORG; found PER, ORG, ORG, LOC; PER and the second ORG match.
    assert scores["entity_precision"] == pytest.approx(2 / 4)
    assert scores["entity_recall"] == pytest.approx(2 / 3)
    assert scores["entity_f1"] == pytest.approx(4 / 7)
    assert scores["per_entity"] == {
        "PER": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1},
        "LOC": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1},
        "ORG": {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1},
    }
    assert scores["per_tag"]["O"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }
    # Every one of the seven tags is true or predicted somewhere, so all count.
    per_tag_f1 = {"O": 2 / 3, "B-PER": 1, "I-PER": 1, "B-LOC": 0, "I-LOC": 0}
    per_tag_f1.update({"B-ORG": 0, "I-ORG": 2 / 3})
    for tag, f1 in per_tag_f1.items():
        assert scores["per_tag"][tag]["f1"] == pytest.approx(f1), tag
    assert scores["macro_f1"] == pytest.approx(sum(per_tag_f1.values()) / 7)


def test_all_predicted_outside():
    true = [["B-PER", "I-PER", "O"], ["O", "B-LOC"]]
    predicted = [["O"] * 3, ["O"] * 2]
    scores = assert_matches_seqeval(true, predicted, BIO)
    assert scores["entity_precision"] == scores["entity_recall"] == scores["entity_f1"] == 0.0
    assert scores["per_tag"]["O"]["precision"] == pytest.approx(2 / 5)
    assert scores["per_entity"]["PER"]["support"] == 1


@pytest.mark.parametrize(
    "names, true, predicted",
    [
        (
            ["inside", "word_start"],
            [["word_start", "inside", "word_start"]],
            [["word_start", "word_start", "word_start"]],
        ),
        (["DT", "NN", "VB"], [["DT", "NN", "VB"]], [["DT", "VB", "VB"]]),
    ],
)
def test_tags_that_are_not_bio_get_token_scores_only(names, true, predicted):
    scores = tag_scores(true, predicted, names)
    assert set(scores) == {"accuracy", "macro_f1", "per_tag"}
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert set(scores["per_tag"]) == set(names)
    assert all(set(s) == SCORE_KEYS for s in scores["per_tag"].values())


def test_bio_tags_get_entity_scores():
    scores = tag_scores([["B-PER", "O"]], [["B-PER", "O"]], BIO)
    assert set(scores) == {
        "accuracy",
        "macro_f1",
        "per_tag",
        "entity_precision",
        "entity_recall",
        "entity_f1",
        "per_entity",
    }
    assert list(scores["per_entity"]) == ["PER", "LOC", "ORG"]
    assert scores["entity_f1"] == 1.0


@pytest.mark.parametrize(
    "true, predicted, names, message",
    [
        (
            [],
            [],
            BIO,
            "Received an invalid value for `true_tags`: expected at least one sentence, got [].",
        ),
        (
            [["O"]],
            [],
            BIO,
            "Received an invalid value for `predicted_tags`: expected at least one sentence, got [].",
        ),
        (
            [["O"]],
            [["O"]],
            [],
            "Received an invalid value for `tag_names`: expected at least one name, got [].",
        ),
        (
            [[], []],
            [[], []],
            BIO,
            "Received an invalid value for `true_tags`: expected at least one tag, got 2 empty sentences.",
        ),
        (
            [["O"], ["O"]],
            [["O"]],
            BIO,
            "`true_tags` and `predicted_tags` must have the same number of sentences; got 2 and 1.",
        ),
        (
            [["O"], ["B-PER", "I-PER", "O"]],
            [["O"], ["B-PER", "O"]],
            BIO,
            "Sentence 1 has 3 tags in `true_tags` but 2 in `predicted_tags`; each predicted sentence must be as long as its true one.",
        ),
        (
            [["O", "B-PER"]],
            [["O", "B-MISC"]],
            ["O", "B-PER", "I-PER"],
            "Received an invalid value for `predicted_tags[0][1]`: expected one of `tag_names` (O, B-PER, I-PER), got 'B-MISC'.",
        ),
        (
            [["O"], ["X"]],
            [["O"], ["O"]],
            ["O", "B-PER"],
            "Received an invalid value for `true_tags[1][0]`: expected one of `tag_names` (O, B-PER), got 'X'.",
        ),
        (
            [["O"]],
            [["O"]],
            ["O", "O"],
            "Received an invalid value for `tag_names`: expected unique names, got 'O' more than once.",
        ),
    ],
)
def test_tag_errors(true, predicted, names, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        tag_scores(true, predicted, names)
