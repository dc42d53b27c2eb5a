"""Baselines against results worked out by hand."""

import builtins
import json

import numpy as np
import pytest

from seqkeras.metrics import baselines
from seqkeras.pipeline.commands.runner import headline


def test_majority_class_predicts_the_most_frequent_training_class():
    names = ["neg", "neu", "pos"]
    # Training: pos 3, neg 2, neu 1 -> always "pos".
    train = [2, 0, 2, 1, 2, 0]
    test = [2, 2, 0, 1]
    result = baselines.majority_class(train, test, names)
    assert result["prediction"] == "pos"
    assert result["accuracy"] == pytest.approx(2 / 4)
    # pos: precision 2/4, recall 1 -> F1 2/3; neg and neu: F1 0 -> mean 2/9.
    assert result["macro_f1"] == pytest.approx((2 / 3) / 3)


def test_majority_class_tie_goes_to_the_lowest_id_and_unseen_labels_are_errors():
    names = ["a", "b"]
    result = baselines.majority_class([1, 0, 1, 0], [0, -1, 1, 0], names)
    assert result["prediction"] == "a"
    # 2 of 4 right; the unseen label (-1) counts as an error.
    assert result["accuracy"] == pytest.approx(0.5)
    # Over the seen examples [0, 1, 0] against "a": a has P 2/3, R 1 -> F1 0.8; b F1 0.
    assert result["macro_f1"] == pytest.approx(0.4)


def test_tfidf_logistic_regression_separates_word_classes():
    pytest.importorskip("sklearn")
    names = ["animal", "food"]
    train = [
        ["the", "cat", "sat"],
        ["a", "dog", "ran"],
        ["the", "cat", "ran"],
        ["a", "dog", "sat"],
        ["fresh", "bread", "tastes", "good"],
        ["warm", "soup", "tastes", "good"],
        ["fresh", "soup"],
        ["warm", "bread"],
    ]
    labels = [0, 0, 0, 0, 1, 1, 1, 1]
    test = [["the", "dog"], ["warm", "soup"], ["a", "cat"], ["bread", "tastes"]]
    result = baselines.tfidf_logistic_regression(train, labels, test, [0, 1, 0, 1], names, "word")
    assert result["ngram_range"] == [1, 2]
    assert result["accuracy"] == 1.0
    assert result["macro_f1"] == 1.0


def test_tfidf_logistic_regression_reads_character_ngrams():
    pytest.importorskip("sklearn")
    assert baselines._ngrams(list("abc"), (1, 2)) == ["a", "b", "c", "a\x1fb", "b\x1fc"]
    names = ["en", "fr"]
    train = [list(w) for w in ("the", "this", "that", "with", "les", "des", "avec", "pour")]
    result = baselines.tfidf_logistic_regression(
        train, [0, 0, 0, 0, 1, 1, 1, 1], [list("then"), list("deux")], [0, 1], names, "char"
    )
    assert result["ngram_range"] == [1, 4]
    assert result["accuracy"] == 1.0


def test_tfidf_logistic_regression_is_skipped_without_scikit_learn(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    result = baselines.tfidf_logistic_regression([["a"]], [0], [["a"]], [0], ["x"], "word")
    assert "scikit-learn is not installed" in result["skipped"]


def test_majority_tags_uses_each_tokens_most_frequent_tag():
    tag_names = ["O", "B-PER", "I-PER"]
    train_tokens = [["Ann", "met", "Bo", "Lee"], ["Ann", "ran"], ["May", "Ann"]]
    train_tags = [["B-PER", "O", "B-PER", "I-PER"], ["B-PER", "O"], ["O", "O"]]
    # Ann: B-PER 2, O 1 -> B-PER; Lee -> I-PER; unknown tokens -> O (5 of 8).
    test_tokens = [["Ann", "Lee", "sang"], ["Zed", "Ann"]]
    test_tags = [["B-PER", "I-PER", "O"], ["B-PER", "O"]]
    result = baselines.majority_tags(train_tokens, train_tags, test_tokens, test_tags, tag_names)
    # Predicted: [B-PER, I-PER, O], [O, B-PER].
    assert result["unknown_token_tag"] == "O"
    assert result["accuracy"] == pytest.approx(3 / 5)
    # O: P 1/2, R 1/2 -> 1/2; B-PER: P 1/2, R 1/2 -> 1/2; I-PER: 1.
    assert result["macro_f1"] == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    # True entities: PER 0-2 (s0), PER 0-1 (s1); found: PER 0-2 (s0), PER 1-2 (s1).
    assert result["entity_precision"] == pytest.approx(0.5)
    assert result["entity_recall"] == pytest.approx(0.5)
    assert result["entity_f1"] == pytest.approx(0.5)


def test_majority_tags_ties_go_to_the_first_tag_and_plain_tags_have_no_entities():
    tag_names = ["NOUN", "VERB"]
    result = baselines.majority_tags(
        [["run", "run", "dog"]], [["VERB", "NOUN", "NOUN"]], [["run"]], [["NOUN"]], tag_names
    )
    assert result["accuracy"] == 1.0
    assert "entity_f1" not in result


def test_class_figures_match_the_model_scores():
    figures = baselines.class_figures(np.array([0, 1, 1, 2]), np.array([0, 1, 0, 2]), "abc")
    assert figures["accuracy"] == pytest.approx(0.75)
    # a: P 1/2 R 1 -> 2/3; b: P 1 R 1/2 -> 2/3; c: 1.
    assert figures["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_headline_shows_the_baselines(tmp_path):
    metrics = {
        "headline": "accuracy",
        "accuracy": 0.9,
        "baselines": {
            "majority": {"accuracy": 0.5},
            "tfidf_logistic_regression": {"skipped": "no scikit-learn"},
        },
    }
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))
    assert headline(tmp_path) == "accuracy = 0.9000 (baselines: majority 0.5000)"
