"""A data file whose targets are all empty stops the run: nothing to learn (issue #14).

A seq2seq TSV with an empty target column used to train and report an exact
match of 1.0 (the empty references matched the empty outputs).
"""

import pytest

from seqkeras.errors import DataError
from seqkeras.pipeline.commands.runner import run_pipeline
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.tasks import get_task
from seqkeras.pipeline.tasks.examples import read_examples
from tests.helpers import run_seqkeras

WORDS = ["cat", "dog", "bird", "fish", "frog", "mouse", "horse", "sheep"]


def write_case(tmp_path, task, name, header, rows):
    """A pipeline file reading `name` (header and rows), returned with the data file."""
    data = tmp_path / name
    data.write_text("\n".join([header, *rows]) + "\n")
    separator = "\t" if name.endswith(".tsv") else ","
    source, target = header.split(separator)
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(
        f"name: empty_targets\ntask: {task}\n"
        f"data: {{dataset: files, files: {{train: {name}}}, source: {{column: {source}}}, "
        f"target: {{column: {target}}}, batch_size: 8}}\n"
        "model: {units: 4}\n"
    )
    return pipeline, data


CASES = {
    "seq2seq_tsv": ("seq2seq", "words.tsv", "word\tspelling", [f"{w}\t" for w in WORDS * 5]),
    "classify_csv": ("classify", "reviews.csv", "text,label", [f"a {w}," for w in WORDS * 5]),
    "tag_tsv": ("tag", "tags.tsv", "sentence\ttags", [f"a {w}\t  " for w in WORDS * 5]),
}
EXPECTED = {
    "seq2seq_tsv": "the output text of each row",
    "classify_csv": "a label per row",
    "tag_tsv": "the tags of each row's tokens",
}


@pytest.mark.parametrize("case", CASES)
def test_all_empty_targets_stop_before_any_folder_is_made(case, tmp_path):
    task, name, header, rows = CASES[case]
    pipeline, data = write_case(tmp_path, task, name, header, rows)
    column = header.split("\t" if name.endswith(".tsv") else ",")[1]
    with pytest.raises(DataError) as error:
        run_pipeline(pipeline, output_dir=tmp_path / "runs", verbose=0)
    assert str(error.value) == (
        f"{data}: the target column {column!r} is empty in all {len(rows)} row(s): nothing "
        f"to learn; expected {EXPECTED[case]} in it."
    )
    assert not (tmp_path / "runs").exists()


def test_some_empty_targets_are_read_as_they_are(tmp_path):
    rows = [f"{w}\t" for w in WORDS * 5]
    rows[3] = "fish\tf i s h"
    pipeline, _ = write_case(tmp_path, "seq2seq", "words.tsv", "word\tspelling", rows)
    config = load_config(pipeline)
    source, target = get_task("seq2seq").columns(config)
    examples = read_examples(config, source, target, smoke=False)
    targets = [t for split in examples.values() for t in split.targets]
    assert sorted(targets) == [""] * 39 + ["f i s h"]


def test_the_command_exits_2_and_leaves_nothing(tmp_path):
    task, name, header, rows = CASES["seq2seq_tsv"]
    write_case(tmp_path, task, name, header, rows)
    result = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1] == (
        f"seqkeras run: error: {tmp_path / name}: the target column 'spelling' is empty in all "
        f"40 row(s): nothing to learn; expected the output text of each row in it."
    )
    assert "Traceback" not in result.stderr and "Epoch" not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipeline.yaml", name]


def test_one_class_in_the_training_labels_stops_before_any_folder_is_made(tmp_path):
    rows = [f"a {w},pos" for w in WORDS * 5]
    pipeline, data = write_case(tmp_path, "classify", "reviews.csv", "text,label", rows)
    with pytest.raises(DataError) as error:
        run_pipeline(pipeline, output_dir=tmp_path / "runs", verbose=0, smoke=True)
    assert str(error.value) == (
        f"{data}: every training example has the label 'pos': one class, nothing to learn; a "
        f"classifier needs examples of at least two classes."
    )
    assert not (tmp_path / "runs").exists()


def test_two_classes_sorted_by_label_pass_though_a_smoke_run_sees_only_the_first(tmp_path):
    # The check is made on the training file, before a smoke run cuts it to two batches.
    rows = [f"a {w},neg" for w in WORDS * 5] + [f"the {w},pos" for w in WORDS * 5]
    pipeline, _ = write_case(tmp_path, "classify", "reviews.csv", "text,label", rows)
    config = load_config(pipeline)
    source, target = get_task("classify").columns(config)
    examples = read_examples(config, source, target, smoke=True)
    assert {str(label) for label in examples["train"].targets} <= {"neg", "pos"}
