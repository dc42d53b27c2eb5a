"""Every kind of export, reloaded where `import seqkeras` fails, matches in-process."""

import json

import numpy as np
import pytest

from seqkeras.decoding import DecodingStep
from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.decoding import generate
from seqkeras.decoding import language_model_step
from seqkeras.export import read_export_info
from tests.export.test_seq2seq_export import python_ids
from tests.helpers import run_python

pytestmark = pytest.mark.slow

RELOAD = """
import json, sys
import numpy as np
try:
    import seqkeras
except ImportError:
    pass
else:
    raise SystemExit("seqkeras should not be importable here")
import tensorflow as tf
jobs = json.load(open("jobs.json"))
results = {}
for kind, job in jobs.items():
    inputs = {k: np.load(v, allow_pickle=True) for k, v in job["inputs"].items()}
    loaded = tf.saved_model.load(job["path"])
    outputs = loaded.signatures["serving_default"](
        **{k: tf.constant(v) for k, v in inputs.items()})
    for name, value in outputs.items():
        results[f"{kind}.{name}"] = value.numpy()
np.savez("results.npz", **results)
"""


def in_process(kind, model, inputs, vocabs):
    """What the model gives in this process, encoded and decoded in Python."""
    source, target = vocabs["source"], vocabs["target"]
    if kind in ("seq2seq", "caption"):
        max_length = 8 if kind == "seq2seq" else 6
        x = python_ids(source, inputs) if kind == "seq2seq" else inputs
        result = generate(
            DecodingStep.from_model(model), x, Greedy(max_length), start_id=2, end_id=3
        )
        texts = [target.decode(row).encode() for row in result.tokens.numpy()]
        return {"outputs": texts, "scores": result.scores, "attention": result.alignments}
    if kind == "language_model":
        result = generate(
            language_model_step(model),
            python_ids(source, inputs),
            Sampling(0.9, seed=0, max_length=7),
            start_id=2,
            end_id=3,
        )
        return {
            "outputs": [source.decode(r).encode() for r in result.tokens.numpy()],
            "scores": result.scores,
        }
    if kind == "forecast":
        return {"outputs": model.predict((inputs - 300.0) / 10.0, verbose=0) * 10 + 300}
    x = python_ids(source, inputs) if kind in ("classify_text", "tag") else inputs
    probabilities = model.predict(x, verbose=0)
    best = probabilities.argmax(-1)
    if kind == "tag":
        tags = np.where(x != 0, np.array([b"I", b"B"], object)[best], b"")
        return {"outputs": tags.tolist(), "probabilities": probabilities * (x != 0)[..., None]}
    labels = np.array([b"a", b"b", b"c"] if kind == "classify" else [b"neg", b"pos"], object)
    return {"outputs": labels[best].tolist(), "probabilities": probabilities}


def test_every_kind_matches_in_process_without_seqkeras(all_exports, vocabs, tmp_path):
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "seqkeras.py").write_text("raise ImportError('seqkeras is blocked')\n")
    jobs = {}
    for kind, (path, inputs, _) in all_exports.items():
        saved = {}
        for name, value in inputs.items():
            saved[name] = str(tmp_path / f"{kind}.{name}.npy")
            np.save(
                saved[name],
                np.asarray(
                    value, dtype=object if name == "inputs" and isinstance(value, list) else None
                ),
            )
        jobs[kind] = {"path": str(path), "inputs": saved}
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    done = run_python(RELOAD, cwd=tmp_path, env_extra={"PYTHONPATH": str(blocker)})
    assert done.returncode == 0, done.stderr[-3000:]
    results = np.load(tmp_path / "results.npz", allow_pickle=True)

    assert len(all_exports) == 7
    for kind, (path, inputs, model) in all_exports.items():
        assert read_export_info(path)["kind"] == kind.replace("_text", "")
        expected = in_process(kind, model, inputs["inputs"], vocabs)
        for name, want in expected.items():
            got = results[f"{kind}.{name}"]
            if name == "outputs" and got.dtype == object:
                assert got.tolist() == want, (kind, name)
            else:
                np.testing.assert_allclose(got, np.asarray(want), atol=1e-4, err_msg=kind)
