"""Your own data in `classify`, `tag` and `seq2seq`: files the test writes, and tfds by name.

Each config is the one docs/your_data.md shows, run with `--smoke` through
the real command, then `predict` (or the export) on raw inputs.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.pipeline.tasks.classify import MAX_SERVED_TOKENS
from tests.helpers import run_folders
from tests.helpers import run_seqkeras

pytestmark = pytest.mark.slow

WORDS = "good bad great awful fine poor nice dull".split()


def run_smoke(tmp_path, yaml_text, name="run"):
    (tmp_path / "pipeline.yaml").write_text(yaml_text)
    result = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = run_folders(tmp_path / "runs" / name)
    return run_dir, json.loads((run_dir / "metrics.json").read_text())


def write_reviews(path, count, seed):
    rng = np.random.default_rng(seed)
    lines = ["text,label"]
    for _ in range(count):
        positive = rng.random() < 0.5
        words = rng.choice(WORDS[0::2] if positive else WORDS[1::2], size=4)
        lines.append(f'"{" ".join(words)}, really!",{"pos" if positive else "neg"}')
    path.write_text("\n".join(lines) + "\n")


def test_text_classification_from_csv_files(tmp_path):
    (tmp_path / "data").mkdir()
    write_reviews(tmp_path / "data" / "reviews.csv", 120, seed=0)
    write_reviews(tmp_path / "data" / "reviews_test.csv", 30, seed=1)
    run_dir, metrics = run_smoke(
        tmp_path,
        "name: reviews\ntask: classify\ndata:\n  dataset: files\n"
        "  files: {train: data/reviews.csv, test: data/reviews_test.csv}\n"
        "  source: {column: text, tokens: word}\n  target: {column: label}\n"
        "model: {units: 8, embedding_dim: 8}\n",
        name="reviews",
    )
    assert metrics["class_names"] == ["neg", "pos"]
    assert {"accuracy", "macro_f1", "confusion_matrix", "per_class"} <= set(metrics)
    assert np.sum(metrics["confusion_matrix"]) == metrics["test_examples"] == 30
    majority = metrics["baselines"]["majority"]
    support = metrics["per_class"][majority["prediction"]]["support"]
    assert majority["accuracy"] == pytest.approx(support / 30)
    # The classes differ by their words: word unigrams separate them.
    assert metrics["baselines"]["tfidf_logistic_regression"]["accuracy"] == 1.0
    vocabulary = (run_dir / "vocabulary.source.txt").read_text().split("\n")
    assert "good" in vocabulary and "," in vocabulary  # word tokens, punctuation apart
    result = run_seqkeras("predict", str(run_dir), "good great, really!", "awful", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    answers = [line.split("\t")[1] for line in result.stdout.splitlines()]
    assert len(answers) == 2 and set(answers) <= {"neg", "pos"}
    # Without data.max_length, served strings are read up to a documented bound.
    manifest = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert manifest["max_source_length"] == MAX_SERVED_TOKENS
    assert manifest["input"]["max_length"] == MAX_SERVED_TOKENS


def test_sequence_of_vectors_classification_from_jsonl(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "data").mkdir()
    with open(tmp_path / "data" / "clips.jsonl", "w") as handle:
        for _ in range(80):
            label = ["walk", "run", "sit"][int(rng.integers(3))]
            frames = rng.normal(size=(int(rng.integers(3, 7)), 4)).round(3).tolist()
            handle.write(json.dumps({"frames": frames, "label": label}) + "\n")
    run_dir, metrics = run_smoke(
        tmp_path,
        "task: classify\ndata:\n  dataset: files\n  files: {train: data/clips.jsonl}\n"
        "  source: {column: frames, type: numbers}\n  target: {column: label}\n"
        "  batch_size: 16\nmodel: {units: 8}\n",
    )
    assert metrics["class_names"] == ["run", "sit", "walk"]
    assert list(metrics["baselines"]) == ["majority"]  # no TF-IDF for vectors
    served = tf.saved_model.load(str(run_dir / "export")).signatures["serving_default"]
    frames = rng.normal(size=(2, 5, 4)).astype("float32")
    outputs = served(inputs=tf.constant(frames))["outputs"].numpy()
    assert {o.decode() for o in outputs} <= {"run", "sit", "walk"}


NAMES = "Peter Anna Blackburn Smith Jones".split()
PLACES = "Brussels Paris Bonn Rome".split()
ORGS = "EU UN NATO".split()


def conll_sentences(count, seed):
    """Distinct CoNLL-2003-like sentences: token POS chunk NER per line."""
    rng = np.random.default_rng(seed)
    sentences = []
    for _ in range(count):
        org, place = rng.choice(ORGS), rng.choice(PLACES)
        first, last = rng.choice(NAMES, size=2)
        sentences.append(
            [
                (org, "NNP", "B-NP", "B-ORG"),
                ("meets", "VBZ", "B-VP", "O"),
                (first, "NNP", "B-NP", "B-PER"),
                (last, "NNP", "I-NP", "I-PER"),
                ("in", "IN", "B-PP", "O"),
                (place, "NNP", "B-NP", "B-LOC"),
                ("on", "IN", "B-PP", "O"),
                (str(rng.integers(1, 29)), "CD", "B-NP", "O"),
                ("German", "JJ", "B-NP", "B-MISC"),
                (".", ".", "O", "O"),
            ]
        )
    return sentences


def write_conll(path, count, seed):
    blocks = ["-DOCSTART- -X- -X- O\n"]
    for sentence in conll_sentences(count, seed):
        blocks.append("\n".join(" ".join(fields) for fields in sentence) + "\n")
    path.write_text("\n".join(blocks))


def test_tagging_from_conll_files_with_entity_scores(tmp_path):
    (tmp_path / "data").mkdir()
    write_conll(tmp_path / "data" / "train.conll", 60, seed=0)
    write_conll(tmp_path / "data" / "test.conll", 9, seed=1)
    run_dir, metrics = run_smoke(
        tmp_path,
        "task: tag\ndata:\n  dataset: files\n"
        "  files: {train: data/train.conll, test: data/test.conll}\n"
        "  source: {column: 0}\n  target: {column: 3}\nmodel: {units: 8, embedding_dim: 8}\n",
    )
    assert metrics["tag_names"] == ["B-LOC", "B-MISC", "B-ORG", "B-PER", "I-PER", "O"]
    assert metrics["headline"] == "entity_f1"
    assert {"entity_precision", "entity_recall", "entity_f1", "per_entity"} <= set(metrics)
    assert metrics["test_sentences"] == 9 and metrics["test_tokens"] == 90
    # 8 of the 10 tokens of a sentence always have the same tag; names have two.
    baseline = metrics["baselines"]["majority"]
    assert baseline["accuracy"] >= 0.8 and 0 <= baseline["entity_f1"] < 1
    result = run_seqkeras("predict", str(run_dir), "Peter Blackburn rejects EU", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    tags = result.stdout.strip().split("\t")[1].split()
    assert len(tags) == 4 and set(tags) <= set(metrics["tag_names"])


def conllu_sentences(count, seed):
    rng = np.random.default_rng(seed)
    blocks = []
    for i in range(count):
        noun = rng.choice(["Dogs", "Cats", "Birds", "Cows"])
        verb = rng.choice(["bark", "sleep", "sing", "run"])
        blocks.append(
            f"# sent_id = {i}\n# text = {noun} don't {verb}.\n"
            f"1\t{noun}\t_\tNOUN\tNNS\t_\t3\tnsubj\t_\t_\n"
            "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
            "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
            "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
            f"4\t{verb}\t_\tVERB\tVB\t_\t0\troot\t_\t_\n"
            f"5\t{'.' if i % 2 else '!'}\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
        )
    return "\n".join(blocks) + "\n"


def test_tagging_from_conllu_by_field_name(tmp_path):
    (tmp_path / "train.conllu").write_text(conllu_sentences(60, seed=0))
    run_dir, metrics = run_smoke(
        tmp_path,
        "task: tag\ndata:\n  dataset: files\n  files: {train: train.conllu}\n"
        "  source: {column: form}\n  target: {column: upos}\nmodel: {units: 8}\n",
    )
    assert metrics["tag_names"] == ["AUX", "NOUN", "PART", "PUNCT", "VERB"]
    assert "entity_f1" not in metrics and metrics["headline"] == "macro_f1"


def test_tagging_from_a_tsv_of_tokens_and_tags(tmp_path):
    rows = ["tokens\ttags"]
    for i in range(60):
        rows.append(
            f"the cat{i} sat\tDET NOUN VERB" if i % 2 else f"a dog{i} ran far\tDET NOUN VERB ADV"
        )
    (tmp_path / "pos.tsv").write_text("\n".join(rows) + "\n")
    _, metrics = run_smoke(
        tmp_path,
        "task: tag\ndata:\n  dataset: files\n  files: {train: pos.tsv}\n"
        "  source: {column: tokens}\n  target: {column: tags}\nmodel: {units: 8}\n",
    )
    assert metrics["tag_names"] == ["ADV", "DET", "NOUN", "VERB"]


@pytest.mark.parametrize(
    "files, columns, message",
    [
        (
            {"train.csv": "text,label\n" + "".join(f"hello {i},pos\n" for i in range(10))},
            "source: {column: review}\n  target: {column: label}",
            r"train.csv, line 1: no column named 'review'; the header has: 'text', 'label'",
        ),
        (
            {"train.tsv": "tokens\ttags\n" + "".join(f"the cat{i}\tDET\n" for i in range(10))},
            "source: {column: tokens}\n  target: {column: tags}",
            r"train.tsv, line \d+: 2 token\(s\) \(whitespace split\) but 1 tag\(s\); expected one tag per token",
        ),
        (
            {"train.jsonl": '{"x": [[1, 2]], "y": "a"}\n' * 9 + '{"x": [[1, "b"]], "y": "a"}\n'},
            "source: {column: x, type: numbers}\n  target: {column: y}",
            r"train.jsonl, line 10: 'x' is \[\[1, 'b'\]\]; expected numbers",
        ),
        (
            {"train.csv": "text,label\nhello,pos\n"},
            "source: {column: text}\n  target: {column: label}",
            r"train.csv: 1 training example\(s\); carving validation and test from them needs at least 6",
        ),
    ],
    ids=["missing-column", "token-tag-count", "not-numbers", "too-few-rows"],
)
def test_bad_data_exits_2_naming_file_and_line_and_leaves_no_run(tmp_path, files, columns, message):
    import re

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    task = "tag" if "tags" in columns else "classify"
    (tmp_path / "bad.yaml").write_text(
        f"task: {task}\ndata:\n  dataset: files\n  files: {{train: {next(iter(files))}}}\n  {columns}\n"
    )
    result = run_seqkeras("run", "bad.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-3000:]
    assert re.search(message, result.stderr), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_test_label_never_seen_in_training_is_counted_as_an_error(tmp_path):
    write_reviews(tmp_path / "train.csv", 60, seed=0)
    (tmp_path / "test.csv").write_text("text,label\ngood good,pos\nmeh,neutral\nmeh meh,neutral\n")
    _, metrics = run_smoke(
        tmp_path,
        "task: classify\ndata:\n  dataset: files\n  files: {train: train.csv, test: test.csv}\n"
        "  source: {column: text, tokens: word}\n  target: {column: label}\nmodel: {units: 8}\n",
    )
    assert metrics["unseen_test_labels"] == {"neutral": 2}
    assert metrics["test_examples"] == 3 and metrics["accuracy"] <= 1 / 3


def in_process_run(config_text, tmp_path):
    from seqkeras.pipeline.commands.runner import run_pipeline

    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pipeline.yaml").write_text(config_text)
    run_dir = run_pipeline(
        str(tmp_path / "pipeline.yaml"), output_dir=str(tmp_path / "runs"), smoke=True, verbose=0
    )
    return run_dir, json.loads((run_dir / "metrics.json").read_text())


def test_tfds_text_classification_by_name(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=40):
        run_dir, metrics = in_process_run(
            "task: classify\ndata:\n  dataset: tfds:imdb_reviews\n"
            "  source: {column: text, tokens: word}\n  target: {column: label}\n"
            "  batch_size: 8\nmodel: {units: 4, embedding_dim: 4}\n",
            tmp_path,
        )
    # Class names are the dataset's ClassLabel names.
    assert metrics["class_names"] == ["neg", "pos"]
    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["labels"] == ["neg", "pos"] and info["inputs"] == "strings"


def aligned_conll2003(self, *args, **kwargs):
    """Mock conll2003 examples whose token and tag sequences line up.

    tfds's own mock data draws each sequence feature's length independently.
    """
    ner = self.info.features["ner"].feature.names
    sentences = conll_sentences(40, seed=int(kwargs.get("split", "x") == "test"))

    def examples():
        for sentence in sentences:
            tokens = [fields[0] for fields in sentence]
            yield {
                "tokens": tokens,
                "ner": [ner.index(fields[3]) for fields in sentence],
                "pos": [0] * len(tokens),
                "chunks": [0] * len(tokens),
            }

    return tf.data.Dataset.from_generator(
        examples,
        output_signature={
            "tokens": tf.TensorSpec([None], tf.string),
            "ner": tf.TensorSpec([None], tf.int64),
            "pos": tf.TensorSpec([None], tf.int64),
            "chunks": tf.TensorSpec([None], tf.int64),
        },
    )


def test_tfds_tagging_by_name_reads_class_label_names(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(as_dataset_fn=aligned_conll2003):
        _, tagged = in_process_run(
            "task: tag\ndata:\n  dataset: tfds:conll2003\n"
            "  source: {column: tokens}\n  target: {column: ner}\n  batch_size: 8\n"
            "model: {units: 4, embedding_dim: 4}\n",
            tmp_path,
        )
    assert tagged["tag_names"] == ["B-LOC", "B-MISC", "B-ORG", "B-PER", "I-PER", "O"]
    assert tagged["headline"] == "entity_f1" and "per_entity" in tagged


def test_tfds_seq2seq_by_name(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=40):
        _, translated = in_process_run(
            "task: seq2seq\ndata:\n  dataset: tfds:ted_hrlr_translate/pt_to_en\n"
            "  source: {column: pt, tokens: word}\n  target: {column: en, tokens: word}\n"
            "  batch_size: 8\nmodel: {units: 4, embedding_dim: 4}\nevaluate: {max_length: 5}\n",
            tmp_path,
        )
    assert {"exact_match", "bleu", "decoding"} <= set(translated)


def test_a_tfds_dataset_that_is_not_prepared_exits_2_saying_how(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "task: classify\ndata:\n  dataset: tfds:imdb_reviews\n"
        "  source: {column: text}\n  target: {column: label}\n"
    )
    env_dir = tmp_path / "empty_tfds"
    env_dir.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TFDS_DATA_DIR=str(env_dir))
    result = subprocess.run(
        [sys.executable, "-m", "seqkeras", "run", "p.yaml", "--output-dir", "runs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "tfds:imdb_reviews: not prepared" in result.stderr
    assert "tfds build" in result.stderr or "prepare it" in result.stderr
    assert not (tmp_path / "runs").exists()
