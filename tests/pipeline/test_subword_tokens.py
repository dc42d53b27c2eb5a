"""`tokens: subword`: a seq2seq pipeline on the user's files with SentencePiece pieces.

The run trains a SentencePiece model per text column on the training split,
keeps it in the run folder, and its export takes and answers raw strings in
a process that has only TensorFlow and tensorflow-text.
"""

import itertools
import json
import random
import sys

import numpy as np
import pytest
import yaml

from seqkeras.cli import main
from seqkeras.data import ColumnSpec
from seqkeras.data import SubwordVocabulary
from seqkeras.data import Vocabulary
from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.tasks.examples import resolve_columns
from seqkeras.pipeline.tasks.vocabularies import build_vocabulary
from seqkeras.pipeline.tasks.vocabularies import load_vocabularies
from seqkeras.pipeline.tasks.vocabularies import save_vocabularies
from tests.helpers import run_python
from tests.helpers import run_seqkeras

SUBJECTS = ["i", "you", "we", "they", "my sister", "the children", "our neighbours"]
VERBS = ["walk", "play", "open", "watch", "clean", "paint", "visit", "call", "help", "cook"]
OBJECTS = [
    "the garden",
    "the kitchen",
    "a friend",
    "the window",
    "the old house",
    "the café",
    "every morning",
    "the naïve dog",
]
#: Present tense in, past tense out: real words whose pieces repeat ("-ed").
PIPELINE = {
    "name": "tense",
    "task": "seq2seq",
    "data": {
        "dataset": "files",
        "batch_size": 16,
        "files": {"train": "tense.tsv"},
        "source": {"column": "present", "tokens": "subword", "vocabulary_size": 48},
        "target": {
            "column": "past",
            "tokens": "subword",
            "vocabulary_size": 60,
            "model_type": "bpe",
        },
    },
    "model": {"units": 16, "embedding_dim": 8},
    "evaluate": {"max_length": 12},
}
#: What the export is asked: seen words, an unseen word and character, empty.
QUESTIONS = ["we walk the garden", "my sister cook the café", "they jump ☃ naïvely", ""]


def tense_rows():
    rows = [
        (f"{s} {v} {o}", f"{s} {v}ed {o}")
        for s, v, o in itertools.product(SUBJECTS, VERBS, OBJECTS)
    ]
    random.Random(0).shuffle(rows)
    return rows[:400]


def write_pipeline(folder, **changes):
    rows = ["present\tpast"] + [f"{a}\t{b}" for a, b in tense_rows()]
    (folder / "tense.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = json.loads(json.dumps(PIPELINE))
    for key, value in changes.items():
        *parents, last = key.split(".")
        node = config
        for parent in parents:
            node = node[parent]
        node[last] = value
    (folder / "tense.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return folder / "tense.yaml"


def columns(data):
    config = from_dict(
        PipelineConfig,
        {"task": data.pop("task", "seq2seq"), "data": {"dataset": "files", **data}},
        source="test.yaml",
    )
    return resolve_columns(config, "text" if config.task == "seq2seq" else "label", subword=True)


# The config: what subword tokens need, and where they are refused.


def test_subword_columns_carry_their_size_and_model_type():
    source, target = columns(
        {
            "source": {"column": "a", "tokens": "subword", "vocabulary_size": 100},
            "target": {
                "column": "b",
                "tokens": "subword",
                "vocabulary_size": 90,
                "model_type": "bpe",
            },
        }
    )
    assert (source.tokens, source.vocabulary_size, source.model_type) == ("subword", 100, None)
    assert (target.tokens, target.vocabulary_size, target.model_type) == ("subword", 90, "bpe")


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"source": {"column": "a", "tokens": "subword"}, "target": {"column": "b"}},
            r"data.source.vocabulary_size: required with tokens: subword; expected the number",
        ),
        (
            {"source": {"column": "a"}, "target": {"column": "b", "vocabulary_size": 50}},
            r"data.target.vocabulary_size: got 50, but data.target.tokens is 'char'; "
            r"vocabulary_size is for text with tokens: subword",
        ),
        (
            {
                "source": {"column": "a", "tokens": "word", "model_type": "bpe"},
                "target": {"column": "b"},
            },
            r"data.source.model_type: got 'bpe', but data.source.tokens is 'word'",
        ),
        (
            {
                "source": {
                    "column": "a",
                    "tokens": "subword",
                    "vocabulary_size": 50,
                    "model_type": "wordpiece",
                },
                "target": {"column": "b"},
            },
            r"data.source.model_type: got 'wordpiece'; expected one of: unigram, bpe",
        ),
        (
            {
                "source": {"column": "a", "tokens": "subword", "vocabulary_size": 4},
                "target": {"column": "b"},
            },
            r"data.source.vocabulary_size: got 4; expected a value >= 5",
        ),
    ],
)
def test_bad_subword_settings_name_the_key(data, message):
    with pytest.raises(ConfigError, match=message):
        columns(data)


@pytest.mark.parametrize(
    "task, data",
    [
        ("tag", {"target": {"column": "tags"}}),
        ("language_model", {}),
    ],
)
def test_tasks_that_cannot_read_subword_tokens_refuse_them(task, data):
    from seqkeras.pipeline.tasks import get_task

    config = from_dict(
        PipelineConfig,
        {
            "task": task,
            "data": {
                "dataset": "files",
                "source": {"column": "text", "tokens": "subword", "vocabulary_size": 100},
                **data,
            },
        },
        source="test.yaml",
    )
    with pytest.raises(
        ConfigError,
        match=rf"^data.source.tokens: got 'subword', which task '{task}' does not read here: "
        r"expected char, word or whitespace. Subword tokens are for the text a classify or "
        r"seq2seq model reads and the text a seq2seq or caption model writes.$",
    ):
        get_task(task).prepare(config, smoke=True)


# Building, saving and reading the vocabularies.


def test_a_size_the_training_split_cannot_give_is_a_config_error_with_the_bound():
    texts = [a for a, _ in tense_rows()]
    spec = ColumnSpec("present", "text", tokens="subword", vocabulary_size=5000)
    with pytest.raises(
        ConfigError,
        match=r"data.source.vocabulary_size: got 5000; expected at most \d+ for these "
        r"texts \(SentencePiece's limit\). Lower it, or give more training text.",
    ):
        build_vocabulary(texts, spec, "data.source", seed=0, smoke=False)
    # A smoke run's few examples: the model comes out smaller instead.
    smoke = build_vocabulary(texts[:32], spec, "data.source", seed=0, smoke=True)
    assert isinstance(smoke, SubwordVocabulary) and len(smoke) < 5000


def test_no_text_or_no_sentencepiece_stops_with_what_to_do(monkeypatch):
    spec = ColumnSpec("present", "text", tokens="subword", vocabulary_size=40)
    with pytest.raises(
        DataError,
        match=r"data.source: cannot train a SentencePiece model on the training "
        r"split's 2 text\(s\)",
    ):
        build_vocabulary(["", ""], spec, "data.source", seed=0, smoke=False)
    # A None entry makes Python's import fail, as it does where a package is missing.
    monkeypatch.setitem(sys.modules, "sentencepiece", None)
    with pytest.raises(
        ConfigError,
        match=r"data.source.tokens: got 'subword', but subword tokens need the "
        r"sentencepiece package: pip install 'seqkeras\[subword\]'",
    ):
        build_vocabulary(["the cat"], spec, "data.source", seed=0, smoke=False)


def test_predict_says_when_tensorflow_text_is_missing(monkeypatch):
    from seqkeras.export.manifest import ExportManifest
    from seqkeras.pipeline.commands.prediction import _import_required_ops

    _import_required_ops(ExportManifest(requires=("tensorflow-text",)), "runs/tense/1/export")
    monkeypatch.setitem(sys.modules, "tensorflow_text", None)
    _import_required_ops(ExportManifest(kind="seq2seq"), "runs/dates/1/export")  # needs none
    with pytest.raises(
        ConfigError,
        match=r"runs/tense/1/export: subword tokens in a TensorFlow graph need the "
        r"tensorflow-text package: pip install 'seqkeras\[subword\]'",
    ):
        _import_required_ops(ExportManifest(requires=("tensorflow-text",)), "runs/tense/1/export")


def test_the_run_folder_keeps_each_kind_of_vocabulary(tmp_path):
    texts = [a for a, _ in tense_rows()]
    vocabularies = {
        "source": build_vocabulary(
            texts,
            ColumnSpec("a", "text", tokens="subword", vocabulary_size=40),
            "data.source",
            seed=0,
            smoke=False,
        ),
        "target": build_vocabulary(
            texts, ColumnSpec("b", "text", tokens="word"), "data.target", seed=0, smoke=False
        ),
    }
    save_vocabularies(tmp_path, vocabularies)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "vocabulary.source.model",
        "vocabulary.target.txt",
    ]
    loaded = load_vocabularies(tmp_path)
    assert isinstance(loaded["source"], SubwordVocabulary)
    assert isinstance(loaded["target"], Vocabulary)
    assert loaded["source"].model_proto == vocabularies["source"].model_proto
    assert loaded["target"].tokens == vocabularies["target"].tokens


def test_a_vocabulary_size_too_large_for_the_data_exits_2_and_leaves_no_run(
    tmp_path, monkeypatch, capsys
):
    write_pipeline(tmp_path, **{"data.target.vocabulary_size": 5000})
    monkeypatch.chdir(tmp_path)
    assert main(["run", "tense.yaml", "--output-dir", "runs"]) == 2
    error = capsys.readouterr().err
    assert "data.target.vocabulary_size: got 5000; expected at most" in error
    assert "Traceback" not in error
    assert not (tmp_path / "runs").exists()


# A smoke run end to end (slow).

RELOAD = """
import json, sys
try:
    import seqkeras
except ImportError:
    pass
else:
    raise SystemExit("seqkeras should not be importable here")
import tensorflow as tf

try:
    tf.saved_model.load("export")
except Exception as error:  # the SentencePiece ops are not registered yet
    refused = f"{type(error).__name__}: {error}"
else:
    refused = ""
import tensorflow_text  # noqa: F401 - registers the SentencePiece ops

loaded = tf.saved_model.load("export")
questions = tf.constant(json.load(open("questions.json")))
outputs = loaded.signatures["serving_default"](inputs=questions)
# Sampled answers: varied pieces, where an untrained model's greedy ones repeat.
sampled = loaded.signatures["sample"](
    inputs=questions,
    seed=tf.constant(7, tf.int64),
    temperature=tf.constant(1.0),
    top_k=tf.constant(0, tf.int64),
)
json.dump(
    {
        "refused": refused,
        "outputs": [o.decode("utf-8") for o in outputs["outputs"].numpy()],
        "scores": outputs["scores"].numpy().tolist(),
        "sampled": [o.decode("utf-8") for o in sampled["outputs"].numpy()],
        "modules": sorted(m for m in sys.modules if m.split(".")[0] == "seqkeras"),
    },
    open("answers.json", "w"),
)
"""


@pytest.fixture(scope="module")
def subword_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subword")
    write_pipeline(folder)
    run = run_seqkeras("run", "tense.yaml", "--smoke", "--output-dir", "runs", cwd=folder)
    assert run.returncode == 0, run.stderr[-3000:]
    [run_dir] = [p for p in (folder / "runs" / "tense").iterdir() if not p.is_symlink()]
    return run_dir, run.stdout


@pytest.mark.slow
def test_smoke_run_reports_bleu_and_keeps_the_sentencepiece_models(subword_run):
    run_dir, stdout = subword_run
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"bleu", "exact_match", "token_error_rate"} <= set(metrics)
    assert 0.0 <= metrics["bleu"] <= 100.0
    assert sorted(p.name for p in run_dir.glob("vocabulary.*")) == [
        "vocabulary.source.model",
        "vocabulary.target.model",
    ]
    target = SubwordVocabulary.load(run_dir / "vocabulary.target.model")
    assert target.decode(target.encode("they visited the café")) == "they visited the café"
    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["requires"] == ["tensorflow-text"]
    assert "Serve: import tensorflow_text; tf.saved_model.load(" in stdout


def keras_answers(model, source, target, questions, strategy):
    """What the Keras model decodes, encoding and decoding in Python (sentencepiece)."""
    from seqkeras.decoding import DecodingStep
    from seqkeras.decoding import generate
    from seqkeras.export.predictor import pad_ids

    result = generate(
        DecodingStep.from_model(model),
        pad_ids([source.encode(q) for q in questions]),
        strategy,
        start_id=target.start_id,
        end_id=target.end_id,
    )
    return [target.decode(row) for row in result.tokens.numpy()], result.scores.numpy()


@pytest.mark.slow
def test_export_answers_raw_strings_in_a_fresh_process_as_the_keras_model_decodes(
    subword_run, tmp_path
):
    import keras

    from seqkeras.decoding import Greedy
    from seqkeras.decoding import Sampling

    run_dir, _ = subword_run
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "seqkeras.py").write_text("raise ImportError('seqkeras is blocked')\n")
    (tmp_path / "export").symlink_to(run_dir / "export")
    (tmp_path / "questions.json").write_text(json.dumps(QUESTIONS))
    done = run_python(RELOAD, cwd=tmp_path, env_extra={"PYTHONPATH": str(blocker)})
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads((tmp_path / "answers.json").read_text())
    # Without tensorflow-text the export does not load: its ops are not TensorFlow's.
    assert "Sentencepiece" in answers["refused"]
    assert answers["modules"] == []

    model = keras.saving.load_model(run_dir / "model.keras")
    source = SubwordVocabulary.load(run_dir / "vocabulary.source.model")
    target = SubwordVocabulary.load(run_dir / "vocabulary.target.model")
    max_length = PIPELINE["evaluate"]["max_length"]
    texts, scores = keras_answers(model, source, target, QUESTIONS, Greedy(max_length))
    assert answers["outputs"] == texts
    np.testing.assert_allclose(answers["scores"], scores, atol=1e-4)
    sampling = Sampling(1.0, None, 7, max_length=max_length)
    assert answers["sampled"] == keras_answers(model, source, target, QUESTIONS, sampling)[0]
    assert len(set("".join(answers["sampled"]))) > 5  # letters, not only spaces


@pytest.mark.slow
def test_evaluate_and_predict_reuse_the_run_folders_models(subword_run):
    from seqkeras.decoding import Greedy
    from seqkeras.pipeline.commands.finished_run import load_run

    run_dir, _ = subword_run
    _, _, data, model = load_run(run_dir)  # what `seqkeras evaluate` and `export` read
    source, target = data.vocabularies["source"], data.vocabularies["target"]
    assert source.model_proto == (run_dir / "vocabulary.source.model").read_bytes()
    assert target.model_proto == (run_dir / "vocabulary.target.model").read_bytes()
    # Trained again on all the data (not the smoke run's few examples) the
    # model would differ: so it was read, not trained.
    spec = ColumnSpec("present", "text", tokens="subword", vocabulary_size=48)
    again = build_vocabulary([a for a, _ in tense_rows()], spec, "s", seed=0, smoke=False)
    assert again.model_proto != source.model_proto

    # `seqkeras predict` (the export, tensorflow-text imported for it) answers
    # what the run's Keras model decodes with the run's SentencePiece models.
    predicted = run_seqkeras("predict", str(run_dir), QUESTIONS[1])
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    greedy = Greedy(PIPELINE["evaluate"]["max_length"])
    [answer], _ = keras_answers(model, source, target, QUESTIONS[1:2], greedy)
    assert predicted.stdout.splitlines() == [f"{QUESTIONS[1]}\t{answer}"]
