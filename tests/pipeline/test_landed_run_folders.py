"""Run folders and exports written by a landed version still load, predict and evaluate.

`tests/fixtures/landed_7663025/` holds two smoke runs written by commit
7663025 (before `pipeline/` was split): a seq2seq run on `dates` and a
classify run on `digits_rows`, tiny models. Through the real command, as a
user who upgraded would: `seqkeras evaluate` gives what the landed
version's gave on the same folder, `seqkeras predict` gives the export's own answers, and the model
file and the export's manifest read.
"""

import json
import pathlib
import shutil

import numpy as np
import pytest

from seqkeras.export import ExportManifest
from tests.pipeline.test_run import seqkeras

pytestmark = pytest.mark.slow

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "landed_7663025"
DATES_INPUTS = ["19. Februar 1950", "Sonntag, 19. Februar 1950", "21 novembre 2026"]


@pytest.fixture(scope="module")
def landed(tmp_path_factory, built):
    """A copy of the landed run folders (commands write into them), and the data folder."""
    built("dates")
    built("digits_rows")
    copy = tmp_path_factory.mktemp("landed") / "runs"
    shutil.copytree(FIXTURES, copy)
    return copy, built.data_dir


def rounded(value):
    """`value` with every float to 9 significant digits, for a comparison across processes."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items() if "seconds" not in key}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


@pytest.mark.parametrize("name", ["dates_tiny", "digits_tiny"])
def test_evaluate_gives_what_the_landed_version_gave(landed, name):
    runs, data_dir = landed
    run_dir = runs / name
    # `seqkeras evaluate --json` of the landed version on this folder (the full test split).
    written = json.loads((FIXTURES / f"{name}.evaluate.json").read_text())
    result = seqkeras("evaluate", str(run_dir), "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    again = json.loads(result.stdout)
    assert rounded(again) == rounded(written)


def test_predict_on_the_landed_seq2seq_export_answers_as_the_export_does(landed):
    import tensorflow as tf

    runs, data_dir = landed
    run_dir = runs / "dates_tiny"
    result = seqkeras("predict", str(run_dir), *DATES_INPUTS, data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[0] for line in lines] == DATES_INPUTS
    serving = tf.saved_model.load(str(run_dir / "export")).signatures["serving_default"]
    outputs = serving(inputs=tf.constant(DATES_INPUTS))["outputs"].numpy()
    assert [line[1] for line in lines] == [text.decode("utf-8") for text in outputs]


def test_predict_on_the_landed_classifier_export_answers_as_the_export_does(landed, tmp_path):
    import tensorflow as tf
    from sklearn.datasets import load_digits

    runs, data_dir = landed
    run_dir = runs / "digits_tiny"
    rows = load_digits().images[:5].astype("float32")
    np.save(tmp_path / "rows.npy", rows)
    result = seqkeras("predict", str(run_dir), str(tmp_path / "rows.npy"), data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    answered = [line.split("\t")[1] for line in result.stdout.splitlines()]
    serving = tf.saved_model.load(str(run_dir / "export")).signatures["serving_default"]
    outputs = serving(inputs=tf.constant(rows))["outputs"].numpy()
    assert answered == [label.decode("utf-8") for label in outputs]


def test_the_landed_manifests_read_as_version_one():
    dates = ExportManifest.load(FIXTURES / "dates_tiny" / "export")
    assert dates.version == 1 and dates.kind == "seq2seq" and dates.takes_text
    assert dates.decoding == {"name": "greedy", "config": {"max_length": 12}}
    assert "beam_search" in dates.signatures and dates.max_source_length is None
    digits = ExportManifest.load(FIXTURES / "digits_tiny" / "export")
    assert digits.kind == "classify" and digits.inputs == "float32"
    assert digits.labels == tuple(str(digit) for digit in range(10))
    assert digits.input["shape"] == [None, 8, 8]


def test_the_landed_models_load_and_give_their_inference_models():
    import keras

    import seqkeras.models

    model = keras.saving.load_model(FIXTURES / "dates_tiny" / "model.keras")
    encoder, step = seqkeras.models.build_inference_models(model)
    assert encoder.inputs and step.inputs
    classifier = keras.saving.load_model(FIXTURES / "digits_tiny" / "model.keras")
    assert classifier.predict(np.zeros((1, 8, 8), "float32"), verbose=0).shape == (1, 10)
