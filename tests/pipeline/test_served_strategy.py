"""What is served is what was evaluated: the export's default signature decodes
with the run's `evaluate:` strategy and gives exactly the strings in
predictions.tsv; `seqkeras predict` does the same by default."""

import csv
import json

import numpy as np
import pytest
import tensorflow as tf

from tests.pipeline.test_run import seqkeras

pytestmark = pytest.mark.slow

BEAM = ["--set", "evaluate.beam_width=3", "--set", "evaluate.length_penalty=0.8"]
SAMPLING = [
    "--set",
    "evaluate.strategy=sample",
    "--set",
    "evaluate.temperature=1.5",
    "--set",
    "seed=11",
]


def predictions(run_dir):
    with open(run_dir / "predictions.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def served(run_dir, inputs):
    loaded = tf.saved_model.load(str(run_dir / "export"))
    outputs = loaded.signatures["serving_default"](inputs=tf.constant(inputs))["outputs"]
    return [o.decode("utf-8") for o in outputs.numpy()]


def recorded(run_dir):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    asset = json.loads((run_dir / "export" / "assets" / "seqkeras_decoding.json").read_text())
    assert asset == metrics["decoding"]
    return metrics["decoding"]


@pytest.mark.parametrize(
    "options, strategy",
    [
        (
            BEAM,
            {
                "name": "beam",
                "config": {"max_length": 12, "width": 3, "length_penalty": 0.8, "n_best": 1},
            },
        ),
        (
            SAMPLING,
            {
                "name": "sample",
                "config": {"max_length": 12, "temperature": 1.5, "top_k": None, "seed": 11},
            },
        ),
    ],
    ids=["beam", "sample"],
)
def test_seq2seq_export_serves_the_evaluated_strategy(options, strategy, built, smoke_runs):
    run_dir = smoke_runs("dates", *options).run_dir
    assert recorded(run_dir) == strategy
    rows = predictions(run_dir)
    sources = [row["source"] for row in rows]
    assert served(run_dir, sources) == [row["prediction"] for row in rows]

    result = seqkeras("predict", str(run_dir), *sources, data_dir=built.data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"seqkeras predict: {strategy['name']} (" in result.stderr
    assert "as the run evaluated" in result.stderr
    answers = [line.split("\t")[1] for line in result.stdout.splitlines()]
    assert answers == [row["prediction"] for row in rows]


def test_language_model_export_serves_the_evaluated_sampling(built, smoke_runs):
    run_dir = smoke_runs("char_lm", "--set", "seed=5").run_dir
    assert recorded(run_dir) == {
        "name": "sample",
        "config": {"max_length": 120, "temperature": 0.8, "top_k": None, "seed": 5},
    }
    rows = predictions(run_dir)
    primes = [row["prime"] for row in rows]
    assert served(run_dir, primes) == [row["prediction"] for row in rows]

    result = seqkeras("predict", str(run_dir), *primes, data_dir=built.data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "seqkeras predict: sample (" in result.stderr
    # One line per prime even when a sample holds newlines: they are written as \n.
    escaped = [
        row["prediction"].replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        for row in rows
    ]
    lines = result.stdout.splitlines()
    assert len(lines) == len(primes)
    assert [line.split("\t", 1)[1] for line in lines] == escaped


def test_caption_export_serves_the_evaluated_beam(built, smoke_runs, monkeypatch):
    from seqkeras.pipeline.commands.finished_run import load_run

    run_dir = smoke_runs("digit_captions", *BEAM).run_dir
    assert recorded(run_dir)["name"] == "beam"
    rows = predictions(run_dir)
    monkeypatch.setenv("SEQKERAS_DATA_DIR", str(built.data_dir))
    _, _, data, _ = load_run(run_dir)
    features = np.asarray(data.test_set.features[: len(rows)], "float32")
    assert served(run_dir, features) == [row["prediction"] for row in rows]


def test_a_wider_beam_in_the_yaml_changes_what_predict_uses(built, smoke_runs):
    greedy_dir = smoke_runs("dates").run_dir  # pipelines/dates.yaml as shipped: greedy
    beam_dir = smoke_runs("dates", *BEAM).run_dir
    for run_dir, name in ((greedy_dir, "greedy"), (beam_dir, "beam")):
        result = seqkeras("predict", str(run_dir), "21 novembre 2026", data_dir=built.data_dir)
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"seqkeras predict: {name} (" in result.stderr
        info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
        assert info["decoding"]["name"] == name
    # An override picks the matching signature and says which strategy the run had.
    result = seqkeras(
        "predict",
        str(beam_dir),
        "21 novembre 2026",
        "--strategy",
        "greedy",
        data_dir=built.data_dir,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        "seqkeras predict: greedy (max_length=12); the run evaluated with beam (" in result.stderr
    )
    for options, message in (
        (
            ["--top-k", "0"],
            "--top-k: Received an invalid value for `top_k`: expected a positive integer, got 0.",
        ),
        (
            ["--beam-width", "2", "--temperature", "3"],
            "--temperature/--top-k/--seed: for --strategy sample, not 'beam'.",
        ),
    ):
        result = seqkeras("predict", str(beam_dir), "x", *options, data_dir=built.data_dir)
        assert result.returncode == 2, result.stderr[-3000:]
        assert message in result.stderr and "Traceback" not in result.stderr
