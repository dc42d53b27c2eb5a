"""`tokens: subword` beyond seq2seq: the text a classifier reads, the captions a captioner writes.

Each runs with `--smoke` on files the test writes; its export answers raw
inputs (strings, image files) as the Keras model does with the run's
SentencePiece model, in a process where seqkeras cannot be imported.
"""

import json
import pathlib

import numpy as np
import pytest
import yaml

from seqkeras.data import SubwordVocabulary
from tests.helpers import run_folders
from tests.helpers import run_python
from tests.helpers import run_seqkeras
from tests.pipeline.test_caption_files import PIPELINE as CAPTION_PIPELINE
from tests.pipeline.test_caption_files import write_images
from tests.pipeline.test_subword_tokens import tense_rows

pytestmark = pytest.mark.slow

#: Sentences in the present or the past tense: which one is it?
CLASSIFY = {
    "name": "tense",
    "task": "classify",
    "data": {
        "dataset": "files",
        "batch_size": 16,
        "files": {"train": "tenses.csv"},
        "source": {"column": "sentence", "tokens": "subword", "vocabulary_size": 40},
        "target": {"column": "tense"},
    },
    "model": {"units": 8, "embedding_dim": 4},
    "export": {"formats": ["saved_model", "onnx"]},
}
QUESTIONS = ["we walk the garden", "my sister cooked the café", "they jump ☃ naïvely", ""]

BLOCKED_RELOAD = """
import json
try:
    import seqkeras
except ImportError:
    pass
else:
    raise SystemExit("seqkeras should not be importable here")
import tensorflow as tf
import tensorflow_text  # noqa: F401 - registers the SentencePiece ops

served = tf.saved_model.load("export").signatures["serving_default"](
    inputs=tf.constant(json.load(open("questions.json")))
)
json.dump(
    {
        "outputs": [o.decode("utf-8") for o in served["outputs"].numpy()],
        "probabilities": served["probabilities"].numpy().tolist(),
    },
    open("answers.json", "w"),
)
"""


def blocked_seqkeras(folder: pathlib.Path) -> dict:
    blocker = folder / "blocked"
    blocker.mkdir()
    (blocker / "seqkeras.py").write_text("raise ImportError('seqkeras is blocked')\n")
    return {"PYTHONPATH": str(blocker)}


def test_a_classifier_reads_subword_pieces_and_its_exports_take_raw_strings(tmp_path):
    import keras

    from seqkeras.export.predictor import pad_ids

    rows = ["sentence,tense"]
    for present, past in tense_rows()[:120]:
        rows += [f"{present},present", f"{past},past"]
    (tmp_path / "tenses.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "tense.yaml").write_text(yaml.safe_dump(CLASSIFY, allow_unicode=True))
    run = run_seqkeras("run", "tense.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "precompiled_charsmap" not in run.stderr  # SentencePiece's notice, kept off
    [run_dir] = run_folders(tmp_path / "runs" / "tense")
    assert sorted(p.name for p in run_dir.glob("vocabulary.*")) == ["vocabulary.source.model"]
    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["requires"] == ["tensorflow-text"]
    assert "Serve: import tensorflow_text; tf.saved_model.load(" in run.stdout
    [portable] = [line for line in run.stdout.splitlines() if line.startswith("Portable:")]
    assert portable.startswith("Portable: model.onnx in ") and "/export (their inputs" in portable

    # The Keras model on ids the run's SentencePiece model gives, in Python.
    vocabulary = SubwordVocabulary.load(run_dir / "vocabulary.source.model")
    model = keras.saving.load_model(run_dir / "model.keras")
    ids = pad_ids([vocabulary.encode(q) for q in QUESTIONS])
    probabilities = keras.ops.convert_to_numpy(model(ids, training=False))
    labels = [info["labels"][i] for i in probabilities.argmax(-1)]

    (tmp_path / "export").symlink_to(run_dir / "export")
    (tmp_path / "questions.json").write_text(json.dumps(QUESTIONS))
    done = run_python(BLOCKED_RELOAD, cwd=tmp_path, env_extra=blocked_seqkeras(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads((tmp_path / "answers.json").read_text())
    assert answers["outputs"] == labels
    np.testing.assert_allclose(answers["probabilities"], probabilities, atol=1e-5)

    # `seqkeras predict` registers tensorflow-text's ops for the export, as it says it needs.
    predicted = run_seqkeras("predict", "tense", *QUESTIONS[:2], cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    assert [line.split("\t")[:2] for line in predicted.stdout.splitlines()] == [
        [question, label] for question, label in zip(QUESTIONS[:2], labels)
    ]

    # The ONNX file takes piece ids: its vocabulary is the SentencePiece model itself.
    portable = info["portable"]["onnx"]
    assert portable["vocabulary"]["file"] == "vocabulary.model"
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(
        model_file=str(run_dir / "export" / "vocabulary.model")
    )
    assert [processor.encode(q) for q in QUESTIONS] == [vocabulary.encode(q) for q in QUESTIONS]
    import onnxruntime

    session = onnxruntime.InferenceSession(
        str(run_dir / "export" / portable["file"]), providers=["CPUExecutionProvider"]
    )
    [onnx_probabilities] = session.run(None, {session.get_inputs()[0].name: ids.astype(np.int32)})
    np.testing.assert_allclose(onnx_probabilities, probabilities, atol=1e-4)


def test_a_captioner_writes_subword_pieces_and_predict_decodes_them(tmp_path, capsys):
    from seqkeras.cli import main
    from tests.pipeline.test_caption_files import greedy_in_process

    names = write_images(tmp_path)
    pipeline = CAPTION_PIPELINE.replace(
        "{column: caption, tokens: whitespace}",
        "{column: caption, tokens: subword, vocabulary_size: 20}",
    )
    assert "subword" in pipeline
    (tmp_path / "pipeline.yaml").write_text(pipeline)
    run = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    [run_dir] = run_folders(tmp_path / "runs" / "run")
    assert sorted(p.name for p in run_dir.glob("vocabulary.*")) == ["vocabulary.caption.model"]
    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["requires"] == ["tensorflow-text"]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"exact_match", "word_error_rate", "bleu"} <= set(metrics)

    files = [str(tmp_path / "data" / n) for n in (names[0], names[5])]
    contents = [pathlib.Path(f).read_bytes() for f in files]
    vocabulary = SubwordVocabulary.load(run_dir / "vocabulary.caption.model")
    captions, _, _, _ = greedy_in_process(run_dir, contents, vocabulary)
    capsys.readouterr()
    assert main(["predict", str(run_dir), *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t", 1) for line in lines] == [list(p) for p in zip(files, captions)]
