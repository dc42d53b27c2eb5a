"""`seqkeras run` end to end, through the real command in subprocesses."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from seqkeras.pipeline.run_folders.latest import latest_run
from seqkeras.utils.native_startup import NATIVE_NOTICES
from tests.helpers import run_folders
from tests.helpers import run_python

ROOT = pathlib.Path(__file__).resolve().parents[2]
PIPELINES = sorted(p.stem for p in (ROOT / "pipelines").glob("*.yaml"))
TASK_METRICS = {
    "classify": {"accuracy", "macro_f1", "per_class", "confusion_matrix", "class_names"},
    "forecast": {"mae", "rmse", "persistence_mae", "seasonal_naive_mae"},
    "tag": {"accuracy", "macro_f1", "per_tag", "tag_names"},
    "seq2seq": {"exact_match", "word_error_rate"},
    "caption": {"exact_match", "token_error_rate", "word_error_rate"},
    "language_model": {
        "bits_per_character",
        "validation_bits_per_character",
        "perplexity",
        "accuracy",
    },
}


def seqkeras(*args, data_dir, cwd=ROOT, timeout=900):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SEQKERAS_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "seqkeras", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pipeline_config(name):
    import yaml

    return yaml.safe_load((ROOT / "pipelines" / f"{name}.yaml").read_text())


def finished_runs(output, name):
    return run_folders(output / name)


@pytest.mark.slow
@pytest.mark.parametrize("name", PIPELINES)
def test_smoke_run_leaves_a_complete_run_folder(name, smoke_runs):
    config = pipeline_config(name)
    run = smoke_runs(name)  # `seqkeras run pipelines/<name>.yaml --smoke`, shared
    run_dir = run.run_dir
    # None of TensorFlow's native lines (absl, oneDNN, cudart, cuInit).
    native = [line for line in run.stderr.splitlines() if NATIVE_NOTICES.match(line)]
    assert not native, native
    # Labelled a smoke run at the start, in the summary and in its folder's name;
    # `latest` names it, there being no real run of the name.
    assert run.stdout.startswith("Smoke run: one epoch on a couple of batches")
    assert "(a smoke run: a couple of batches; the figures mean nothing)" in run.stdout
    assert run_dir.name.endswith("-smoke")
    assert latest_run(run_dir.parent) == run_dir
    assert f"Run folder: {run_dir}" in run.stdout
    # Every export says how to predict with it, in the inputs its task takes, naming
    # the run by runs/<name> (its latest run) as --output-dir is not the default.
    assert f"Predict: seqkeras predict {run_dir.parent} " in run.stdout
    for artifact in [
        "config.yaml",
        "metrics.json",
        "predictions.tsv",
        "model.keras",
        "export/saved_model.pb",
        "checkpoints/best.weights.h5",
        "logs/training.csv",
        "logs/tensorboard",
        "plots/training_curves.png",
    ]:
        assert (run_dir / artifact).exists(), artifact
    assert not (run_dir / "backup").exists()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert TASK_METRICS[config["task"]] <= set(metrics)
    assert metrics["headline"] in metrics
    if config["task"] == "seq2seq":  # characters for dates, phonemes for g2p
        assert {"character_error_rate", "token_error_rate"} & set(metrics)
    if config["task"] != "classify" and config["task"] != "forecast":
        assert list(run_dir.glob("vocabulary.*.txt"))
    if config["task"] in ("seq2seq", "caption"):
        assert (run_dir / "plots" / "attention_0.png").exists()
    if config["task"] == "classify":
        assert (run_dir / "plots" / "confusion_matrix.png").exists()


BAD_CONFIGS = [
    ("name: x\nmodel: {units: [1, 2\n", r"bad.yaml, line 3, column 1: invalid YAML"),
    ("modle: {units: 8}\n", "bad.yaml: modle: unknown key 'modle'; did you mean 'model'?"),
    ("model: {units: many}\n", "bad.yaml: model.units: got 'many'; expected an integer."),
    (
        "train: {epochs: 0}\n",
        "bad.yaml: train.epochs: got 0; expected a value between 1 and 1000000.",
    ),
    (
        "train: {optimizer: {name: adm}}\n",
        "train.optimizer.name: got 'adm'; expected one of: adam, rmsprop, sgd (did you mean 'adam'?).",
    ),
    (
        "include: [configs/nothere.yaml]\n",
        "bad.yaml: include.0: no such file 'configs/nothere.yaml'",
    ),
    (
        "task: tag\ndata: {dataset: digits_rows}\n",
        "data.source.type: got 'numbers'; the tag task reads text",
    ),
    (
        "task: tag\ndata: {dataset: word_boundaries}\ntrain: {tbptt: {window: 20}}\n",
        "train.tbptt.window: truncated backpropagation is for the language_model task",
    ),
    (
        "task: seq2seq\ndata: {dataset: files}\n",
        "data.files.train: required when data.dataset is 'files'",
    ),
    (
        "task: seq2seq\ndata: {dataset: files, files: {train: nothere.tsv}}\n",
        "data.files.train: no such file 'nothere.tsv'.",
    ),
    (
        "task: seq2seq\ndata: {dataset: files, files: {train: a.txt}}\n",
        "data.files.train: got 'a.txt'; expected a file ending in .tsv, .csv, .jsonl, .conll, .conllu.",
    ),
    (
        "data: {files: {train: a.tsv}}\n",
        "data.files.train: given, but data.dataset is 'digits_rows'",
    ),
    (
        "task: classify\ndata: {dataset: files, files: {train: a.tsv}, source: {column: text}}\n",
        "data.files.train: no such file 'a.tsv'.",
    ),
    (
        "model: {implementation: quick}\n",
        "bad.yaml: model.implementation: got 'quick'; expected one of: auto, reference, fast, "
        "xla, cudnn.",
    ),
    (
        "train: {jit_compile: maybe}\n",
        "bad.yaml: train.jit_compile: got 'maybe'; expected a boolean.",
    ),
    (
        "task: seq2seq\ndata: {dataset: dates}\nmodel: {bidirectional: true, "
        "attention: {kind: luong, score: dot}}\n",
        "model.attention.score: got 'dot'; the dot score needs the decoder's outputs",
    ),
    (
        "model: {units: 2000000000}\n",
        "model.units: 2000000000 with model.layers 1 and model.embedding_dim 32 makes about "
        "16,000,000,264,000,000,000 recurrent weights; the bound is 268,435,456",
    ),
    (
        "task: seq2seq\ndata: {dataset: dates}\nevaluate: {beam_width: 1000000}\n",
        "bad.yaml: evaluate.beam_width: got 1000000; expected a value between 1 and 256.",
    ),
]


@pytest.mark.parametrize("text, message", BAD_CONFIGS)
def test_bad_config_exits_2_naming_the_key_and_leaves_no_run_folder(text, message, tmp_path):
    (tmp_path / "bad.yaml").write_text(text)
    result = seqkeras(
        "run", "bad.yaml", "--output-dir", "runs", data_dir=tmp_path / "data", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()


def test_missing_pipeline_file_exits_2(tmp_path):
    result = seqkeras("run", "nowhere.yaml", data_dir=tmp_path, cwd=tmp_path)
    assert result.returncode == 2
    assert "nowhere.yaml: no such file." in result.stderr


def test_bad_set_exits_2(tmp_path):
    result = seqkeras(
        "run",
        str(ROOT / "pipelines/digits_rows.yaml"),
        "--set",
        "train.epoch=2",
        data_dir=tmp_path,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "train.epoch: unknown key 'epoch'; did you mean 'epochs'?" in result.stderr


def test_schema_command_prints_json_schema(tmp_path):
    result = seqkeras("schema", data_dir=tmp_path)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "seqkeras pipeline"
    assert "train" in schema["properties"]


SHORT_DIGITS = ["--set", "data.limit=320", "--set", "model.units=16"]


@pytest.mark.slow
def test_killed_run_resumes_from_its_last_epoch(tmp_path, built):
    built("digits_rows")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SEQKERAS_DATA_DIR=str(built.data_dir))
    command = [
        sys.executable,
        "-m",
        "seqkeras",
        "run",
        "pipelines/digits_rows.yaml",
        "--output-dir",
        str(tmp_path),
        "--set",
        "train.epochs=4",
        "--set",
        "train.early_stopping.patience=null",
        *SHORT_DIGITS,
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    log = None
    deadline = time.time() + 300
    while time.time() < deadline:
        logs = list(tmp_path.glob("digits_rows/*.partial/logs/training.csv"))
        if logs and len(logs[0].read_text().splitlines()) >= 2:  # header + epoch 0
            log = logs[0]
            break
        assert process.poll() is None, process.stderr.read()[-2000:]
        time.sleep(0.05)
    assert log is not None, "the first epoch never finished"
    process.send_signal(signal.SIGKILL)
    process.wait()
    epochs_before = [line.split(",")[0] for line in log.read_text().splitlines()[1:]]
    assert epochs_before and len(epochs_before) < 4

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = finished_runs(tmp_path, "digits_rows")
    assert run_dir.name == log.parents[1].name[: -len(".partial")]
    epochs = [
        int(line.split(",")[0])
        for line in (run_dir / "logs/training.csv").read_text().splitlines()[1:]
    ]
    assert epochs == [0, 1, 2, 3]  # nothing lost, nothing repeated
    assert (run_dir / "metrics.json").exists() and (run_dir / "export").is_dir()


@pytest.mark.slow
def test_same_seed_gives_same_metrics_whether_the_data_was_just_built_or_cached(tmp_path):
    # The first run builds the dataset in an empty cache, the next two read
    # it back: building once drew from Python's `random`, which Keras seeds
    # its initialisers from, and the first run differed from the others.
    cache = tmp_path / "fresh-cache"
    metrics = []
    for attempt in range(3):
        output = tmp_path / str(attempt)
        result = seqkeras(
            "run",
            "pipelines/digits_rows.yaml",
            "--output-dir",
            str(output),
            "--set",
            "train.epochs=2",
            "--set",
            "train.deterministic=true",
            *SHORT_DIGITS,
            data_dir=cache,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        [run_dir] = finished_runs(output, "digits_rows")
        metrics.append(json.loads((run_dir / "metrics.json").read_text()))
    assert metrics[0] == metrics[1] == metrics[2]


def test_data_error_exits_2_naming_the_file_and_leaves_no_run_folder(tmp_path):
    (tmp_path / "lm.yaml").write_text(
        "task: language_model\ndata: {dataset: text, path: missing.txt}\n"
    )
    result = seqkeras(
        "run", "lm.yaml", "--output-dir", "runs", data_dir=tmp_path / "data", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "missing.txt" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_train_runs_without_the_export_stage(tmp_path, built):
    built("sunspots")
    result = seqkeras(
        "train",
        "pipelines/sunspots.yaml",
        "--smoke",
        "--output-dir",
        str(tmp_path),
        data_dir=built.data_dir,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = finished_runs(tmp_path, "sunspots")
    assert (run_dir / "model.keras").is_file() and (run_dir / "metrics.json").is_file()
    assert not (run_dir / "export").exists()
    assert "seqkeras predict" not in result.stdout


def _recurrent_layer_configs(model_file, class_names=("LSTM", "VanillaRNN")):
    with zipfile.ZipFile(model_file) as archive:
        config = json.loads(archive.read("config.json"))
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("class_name") in class_names:
                found.append(node["config"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return found


@pytest.mark.slow
def test_cell_gru_runs_a_pipeline_end_to_end(tmp_path, built):
    # Every shipped pipeline ran with `--set model.cell=gru --smoke` when the GRU
    # was added; the cheapest one stays here.
    built("sunspots")
    result = seqkeras(
        "run",
        "pipelines/sunspots.yaml",
        "--smoke",
        "--set",
        "model.cell=gru",
        "--output-dir",
        str(tmp_path),
        data_dir=built.data_dir,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = finished_runs(tmp_path, "sunspots")
    assert (run_dir / "export" / "saved_model.pb").exists()
    assert _recurrent_layer_configs(run_dir / "model.keras", ("GRU",))
    assert not _recurrent_layer_configs(run_dir / "model.keras")


SERVE_RAW_STRINGS = """
import json, sys
try:
    import seqkeras
except ImportError:
    pass
else:
    raise SystemExit("seqkeras should not be importable here")
import tensorflow as tf
served = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
outputs = served(inputs=tf.constant(json.loads(sys.argv[2])))["outputs"]
print(json.dumps([text.decode() for text in outputs.numpy().tolist()]))
"""


@pytest.mark.slow
def test_luong_attention_runs_a_pipeline_whose_export_answers_raw_strings(tmp_path, built):
    built("dates")
    luong = {
        "model.attention.kind": "luong",
        "model.attention.scale": "true",
        "model.attention.layer_units": "32",
        "model.attention.layer_activation": "linear",
    }
    overrides = [arg for key, value in luong.items() for arg in ("--set", f"{key}={value}")]
    result = seqkeras(
        "run",
        "pipelines/dates.yaml",
        "--smoke",
        *overrides,
        "--output-dir",
        str(tmp_path),
        data_dir=built.data_dir,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = [
        pathlib.Path(line.split(": ", 1)[1])
        for line in result.stdout.splitlines()
        if line.startswith("Run folder: ")
    ]
    with zipfile.ZipFile(run_dir / "model.keras") as archive:
        model_config = json.loads(archive.read("config.json"))["config"]
    assert {
        key: model_config[key]
        for key in ("attention", "scale_attention", "attention_layer_activation")
    } == {"attention": "luong", "scale_attention": True, "attention_layer_activation": "linear"}
    # The export serves what evaluation measured: the same greedy decoding
    # of the same raw strings, in a process where seqkeras is not importable.
    rows = [line.split("\t") for line in (run_dir / "predictions.tsv").read_text().splitlines()]
    assert rows[0][:3] == ["source", "reference", "prediction"]
    sources, predictions = [row[0] for row in rows[1:9]], [row[2] for row in rows[1:9]]
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "seqkeras.py").write_text("raise ImportError('seqkeras is blocked')\n")
    served = subprocess.run(
        [sys.executable, "-c", SERVE_RAW_STRINGS, str(run_dir / "export"), json.dumps(sources)],
        cwd=blocker,
        env=dict(os.environ, PYTHONPATH=str(blocker), TF_CPP_MIN_LOG_LEVEL="2"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    assert json.loads(served.stdout.splitlines()[-1]) == predictions


@pytest.mark.slow
def test_fast_path_and_xla_options_take_effect_with_the_same_training(tmp_path, built):
    built("digits_rows")
    options = {
        "reference": ["--set", "model.implementation=reference"],
        "fast": ["--set", "model.implementation=fast", "--set", "train.jit_compile=true"],
        # The default: the XLA-compiled loops train on a CPU.
        "auto": [],
    }
    logs = {}
    for name, extra in options.items():
        output = tmp_path / name
        result = seqkeras(
            "run",
            "pipelines/digits_rows.yaml",
            "--output-dir",
            str(output),
            "--set",
            "train.epochs=2",
            "--set",
            "export.enabled=false",
            *SHORT_DIGITS,
            *extra,
            data_dir=built.data_dir,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        [run_dir] = finished_runs(output, "digits_rows")
        [layer] = _recurrent_layer_configs(run_dir / "model.keras")
        assert layer["implementation"] == name
        logs[name] = (run_dir / "logs/training.csv").read_text().splitlines()
    header = logs["reference"][0].split(",")
    for column in ("loss", "val_loss"):
        index = header.index(column)
        want = [float(line.split(",")[index]) for line in logs["reference"][1:]]
        for name in ("fast", "auto"):
            got = [float(line.split(",")[index]) for line in logs[name][1:]]
            assert len(got) == len(want) == 2
            np.testing.assert_allclose(got, want, rtol=1e-4)


@pytest.mark.slow
def test_digits_export_classifies_raw_images(tmp_path):
    """The export takes the pixel counts 0-16 that `load_digits().images` holds.

    The model scales them itself (`digits_rows` declares the scale of 1/16);
    an export that expected pre-scaled pixels got about one digit in five.
    """
    result = seqkeras(
        "run",
        "pipelines/digits_rows.yaml",
        "--output-dir",
        str(tmp_path / "runs"),
        "--set",
        "train.epochs=8",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = finished_runs(tmp_path / "runs", "digits_rows")
    served = run_python(
        f"""
        import numpy as np
        import tensorflow as tf
        from sklearn.datasets import load_digits

        digits = load_digits()
        serve = tf.saved_model.load({str(run_dir / "export")!r}).signatures["serving_default"]
        outputs = serve(inputs=tf.constant(digits.images, tf.float32))["outputs"].numpy()
        print(np.mean(outputs.astype(str).astype(int) == digits.target))
        """
    )
    assert served.returncode == 0, served.stderr[-2000:]
    assert float(served.stdout.split()[-1]) > 0.9
