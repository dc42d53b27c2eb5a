"""`Evaluation`: the typed figures of a run, and the `metrics.json` they make."""

import json
import pathlib

import numpy as np
import pytest

from seqkeras.metrics.evaluation import AttentionExample
from seqkeras.metrics.evaluation import ConfusionMatrix
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.metrics.label_metrics import classification_scores

LANDED = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "landed_7663025"


@pytest.mark.parametrize("run", ["dates_tiny", "digits_tiny"])
def test_metrics_json_written_by_the_landed_version_reads_back_to_the_same_file(run, tmp_path):
    path = LANDED / run / "metrics.json"
    landed = json.loads(path.read_text(encoding="utf-8"))
    evaluation = Evaluation.load(path)
    assert evaluation.headline == landed["headline"]
    assert evaluation.headline_value == landed[landed["headline"]]
    evaluation.write(tmp_path / "metrics.json")
    assert json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8")) == landed


def test_the_landed_classifier_s_confusion_matrix_and_baselines_are_typed():
    evaluation = Evaluation.load(LANDED / "digits_tiny" / "metrics.json")
    assert evaluation.confusion.class_names == [str(digit) for digit in range(10)]
    assert np.sum(evaluation.confusion.counts) == evaluation.scores["test_examples"]
    assert "majority" in evaluation.baselines
    assert evaluation.decoding is None
    assert "confusion_matrix" not in evaluation.scores and "baselines" not in evaluation.scores


def test_typed_fields_become_the_metrics_json_keys_and_only_when_given():
    scores = classification_scores([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    evaluation = Evaluation(
        headline="accuracy",
        scores={"accuracy": scores["accuracy"], "test_examples": 3},
        predictions=[{"input": "x", "prediction": "cat"}],
        baselines={"majority": {"accuracy": 2 / 3}},
        confusion=ConfusionMatrix.from_scores(scores),
        attention=[AttentionExample(["a"], ["b"], np.ones((1, 1)))],
        decoding={"name": "greedy", "config": {"max_length": 4}},
    )
    assert evaluation.metrics == {
        "headline": "accuracy",
        "accuracy": 2 / 3,
        "test_examples": 3,
        "baselines": {"majority": {"accuracy": 2 / 3}},
        "confusion_matrix": [[1, 0], [1, 1]],
        "class_names": ["cat", "dog"],
        "decoding": {"name": "greedy", "config": {"max_length": 4}},
    }
    # Predictions and attention go to predictions.tsv and plots/, not metrics.json.
    bare = Evaluation("mae", {"mae": 1.5})
    assert bare.metrics == {"headline": "mae", "mae": 1.5}
    assert Evaluation.from_json(evaluation.metrics).metrics == evaluation.metrics


def test_a_score_named_like_a_field_is_refused_with_the_field_to_use():
    with pytest.raises(ValueError, match=r"\['baselines', 'headline'\] are fields"):
        Evaluation("accuracy", {"accuracy": 1.0, "headline": "x", "baselines": {}})


def test_the_headline_value_is_none_where_it_is_not_a_number():
    assert Evaluation("bleu", {"bleu": None}).headline_value is None
    assert Evaluation("flag", {"flag": True}).headline_value is None
    assert Evaluation("missing", {}).headline_value is None
    assert Evaluation("count", {"count": 3}).headline_value == 3.0


def test_a_metrics_file_that_is_not_an_object_is_refused_naming_it(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"metrics\.json: expected a JSON object, found list"):
        Evaluation.load(path)
    path.write_text("{")
    with pytest.raises(ValueError):
        Evaluation.load(path)
