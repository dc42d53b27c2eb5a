"""`data.dataset: files`: a seq2seq pipeline on the user's own TSV/CSV/JSONL files."""

import json
import os
import subprocess
import sys

import pytest

from seqkeras.errors import DataError
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.pipeline.tasks.examples import resolve_columns
from tests.helpers import run_folders

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = [f"w{i:03d}" for i in range(200)]


def write_tsv(path, rows, header=("word", "spelled")):
    lines = ["\t".join(header)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def spelled(word):
    return " ".join(word.upper())


def as_lists(examples):
    return list(zip(examples.sources, examples.targets))


def file_splits(seed=0, **files):
    """The three splits of a seq2seq pipeline on `files` (data.files keys)."""
    config = from_dict(
        PipelineConfig,
        {"task": "seq2seq", "seed": seed, "data": {"dataset": "files", "files": files}},
        source="test.yaml",
    )
    source, target = resolve_columns(config, "text")
    return read_examples(config, source, target, smoke=False)


def test_missing_splits_are_carved_from_train_by_source(tmp_path):
    # Two targets for each of the first words: both must land in one split.
    rows = [(w, spelled(w)) for w in WORDS] + [(w, spelled(w) + " X") for w in WORDS[:20]]
    train = write_tsv(tmp_path / "train.tsv", rows)
    splits = file_splits(train=train, source="word", target="spelled", seed=3)
    sources = {split: {s for s, _ in as_lists(d)} for split, d in splits.items()}
    assert sum(len(s) for s in sources.values()) == len(WORDS)
    assert not (
        sources["train"] & sources["validation"]
        or sources["train"] & sources["test"]
        or sources["validation"] & sources["test"]
    )
    assert len(sources["validation"]) == len(sources["test"]) == 20
    assert sum(len(as_lists(d)) for d in splits.values()) == len(rows)
    again = file_splits(train=train, source="word", target="spelled", seed=3)
    assert as_lists(again["test"]) == as_lists(splits["test"])


def test_given_files_are_used_as_they_are(tmp_path):
    train = write_tsv(tmp_path / "train.tsv", [(w, spelled(w)) for w in WORDS[:150]])
    (tmp_path / "valid.jsonl").write_text(
        "".join(json.dumps({"word": w, "spelled": spelled(w)}) + "\n" for w in WORDS[150:175])
    )
    (tmp_path / "test.csv").write_text(
        "spelled,word\n" + "".join(f"{spelled(w)},{w}\n" for w in WORDS[175:])
    )
    splits = file_splits(
        train=train,
        validation=str(tmp_path / "valid.jsonl"),
        test=str(tmp_path / "test.csv"),
        source="word",
        target="spelled",
    )
    assert [len(as_lists(splits[s])) for s in ("train", "validation", "test")] == [150, 25, 25]
    assert as_lists(splits["test"])[0] == ("w175", "W 1 7 5")
    assert as_lists(splits["validation"])[-1] == ("w174", "W 1 7 4")


def test_bad_rows_name_the_file_and_line(tmp_path):
    train = write_tsv(tmp_path / "train.tsv", [("a", "A"), ("b",)])
    with pytest.raises(DataError, match=r"train.tsv, line 3: column 'spelled' is field 2"):
        file_splits(train=train, source="word", target="spelled")
    with pytest.raises(DataError, match=r"no column named 'phones'"):
        file_splits(train=train, source="word", target="phones")
    (tmp_path / "numbers.jsonl").write_text('{"word": "a", "spelled": 3}\n')
    with pytest.raises(DataError, match=r"numbers.jsonl, line 1: 'spelled' is 3; expected text"):
        file_splits(train=str(tmp_path / "numbers.jsonl"), source="word", target="spelled")


@pytest.mark.slow
def test_seq2seq_pipeline_on_user_files_runs_and_predicts(tmp_path):
    train = write_tsv(tmp_path / "train.tsv", [(w, spelled(w)) for w in WORDS])
    (tmp_path / "spell.yaml").write_text(
        "name: spell\ntask: seq2seq\n"
        f"data: {{dataset: files, batch_size: 32, files: {{train: {train}, source: word, "
        "target: spelled, target_tokens: whitespace}}\n"
        "model: {units: 16, embedding_dim: 8}\nevaluate: {max_length: 8, beam_width: 3}\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    run = subprocess.run(
        [sys.executable, "-m", "seqkeras", "run", "spell.yaml", "--smoke", "--output-dir", "runs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    [run_dir] = run_folders(tmp_path / "runs" / "spell")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"exact_match", "token_error_rate", "word_error_rate", "bleu"} <= set(metrics)
    assert metrics["test_sources"] == 20
    vocabulary = (run_dir / "vocabulary.target.txt").read_text().split("\n")
    assert "W" in vocabulary and "W 0" not in vocabulary  # whitespace tokens
    predict = subprocess.run(
        [sys.executable, "-m", "seqkeras", "predict", str(run_dir), "w042"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert predict.returncode == 0, predict.stderr[-3000:]
    assert predict.stdout.strip()
