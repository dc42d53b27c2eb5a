"""Every kind of export runs in TensorFlow's own graph-mode client, `saved_model_cli run`.

`saved_model_cli` loads a SavedModel as TensorFlow Serving's C++ loader
does (a graph and a saver restoring the variables), not as
`tf.saved_model.load` does; an export whose signatures read variables the
saver never restores fails there while it works in Python.
"""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

pytestmark = pytest.mark.slow

SAVED_MODEL_CLI = pathlib.Path(sys.executable).with_name("saved_model_cli")
# Beyond every kind's serving_default, the parameterised decoding signatures.
EXTRA = {
    "seq2seq": [
        ("beam_search", "beam_width=3;length_penalty=0.6"),
        ("sample", "seed=4;temperature=0.8;top_k=0"),
    ],
    "language_model": [("greedy", "")],
}


def run_cli(path, signature, inputs, tmp_path, extra_exprs=""):
    outdir = tmp_path / f"{path.name}-{signature}"
    if isinstance(inputs, list):  # strings: a Python literal
        exprs = f"inputs={json.dumps(inputs)}"
        arguments = []
    else:
        np.save(tmp_path / "inputs.npy", inputs)
        exprs = ""
        arguments = ["--inputs", f"inputs={tmp_path / 'inputs.npy'}"]
    exprs = ";".join(e for e in (exprs, extra_exprs) if e)
    if exprs:
        arguments += ["--input_exprs", exprs]
    done = subprocess.run(
        [
            str(SAVED_MODEL_CLI),
            "run",
            "--dir",
            str(path),
            "--tag_set",
            "serve",
            "--signature_def",
            signature,
            "--outdir",
            str(outdir),
            *arguments,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {p.stem: np.load(p, allow_pickle=True) for p in outdir.glob("*.npy")}


def test_saved_model_cli_gives_what_tf_saved_model_load_gives(all_exports, tmp_path):
    assert SAVED_MODEL_CLI.is_file()
    for kind, (path, inputs, _) in all_exports.items():
        path = pathlib.Path(path)
        loaded = tf.saved_model.load(str(path))
        raw = inputs["inputs"]
        # saved_model_cli reads texts as a Python literal of strings.
        texts = [t for t in raw if len(t) < 50] if isinstance(raw, list) else raw
        for signature, exprs in [("serving_default", ""), *EXTRA.get(kind, [])]:
            options = {}
            for assignment in filter(None, exprs.split(";")):
                name, value = assignment.split("=")
                spec = loaded.signatures[signature].structured_input_signature[1][name]
                options[name] = tf.constant(json.loads(value), spec.dtype)
            want = loaded.signatures[signature](inputs=tf.constant(texts), **options)
            got = run_cli(path, signature, texts, tmp_path, exprs)
            assert set(got) == set(want), (kind, signature)
            for name, value in want.items():
                value = value.numpy()
                if value.dtype == object:
                    assert got[name].tolist() == value.tolist(), (kind, signature, name)
                else:
                    np.testing.assert_allclose(
                        got[name], value, atol=1e-5, err_msg=f"{kind} {signature} {name}"
                    )
