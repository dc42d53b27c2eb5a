"""Helpers shared by tests."""

import os
import pathlib
import subprocess
import sys
import textwrap


def run_python(code: str, *, cwd=None, env_extra=None, timeout=300):
    """Run `code` in a fresh Python interpreter; return the completed process.

    Used for save/load checks that must not share state with the test process.
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if env_extra:
        env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_seqkeras(*args, cwd=None, env_extra=None, timeout=900, stdin=None):
    """Run the real `python -m seqkeras ARGS...` in a subprocess; return it completed.

    `stdin` is the text its standard input holds; without it, it inherits this one.
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if env_extra:
        env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "seqkeras", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_folders(base) -> list:
    """The finished run folders in `runs/<name>/`, oldest first (not `latest`, not `.partial`)."""
    return sorted(
        p
        for p in pathlib.Path(base).iterdir()
        if p.name != "latest" and not p.name.endswith(".partial")
    )


def assert_config_round_trip(layer):
    """get_config -> from_config -> get_config gives the same config."""
    import copy

    config = layer.get_config()
    clone = layer.__class__.from_config(copy.deepcopy(config))
    assert clone.get_config() == config


def assert_reloads_in_fresh_process(model, inputs, tmp_path, atol=1e-6):
    """Save `model` to .keras, reload it in a new interpreter, compare outputs.

    `inputs` is a NumPy array, a list of arrays (fed positionally) or a dict
    of them (fed by name). Every output of the reloaded model must equal the
    in-process model's.
    """
    import pickle

    import numpy as np

    model_path = tmp_path / "model.keras"
    inputs_path = tmp_path / "inputs.pkl"
    model.save(model_path)
    expected = _as_list(model.predict(inputs, verbose=0))
    inputs_path.write_bytes(pickle.dumps(inputs))
    result = run_python(
        f"""
        import pickle
        import numpy as np, keras, seqkeras
        inputs = pickle.loads(open(r"{inputs_path}", "rb").read())
        model = keras.saving.load_model(r"{model_path}")
        outputs = model.predict(inputs, verbose=0)
        if isinstance(outputs, dict):
            outputs = [outputs[k] for k in sorted(outputs)]
        elif not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        for i, out in enumerate(outputs):
            np.save(r"{tmp_path}/reloaded_{{}}.npy".format(i), np.asarray(out))
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for i, want in enumerate(expected):
        got = np.load(tmp_path / f"reloaded_{i}.npy")
        np.testing.assert_allclose(got, want, atol=atol, rtol=0)


def assert_export_reloads(model, inputs, tmp_path, atol=1e-6):
    """`model.export` gives a SavedModel whose `serve` matches the model."""
    import numpy as np
    import tensorflow as tf

    export_path = str(tmp_path / "export")
    model.export(export_path, verbose=False)
    expected = _as_list(model.predict(inputs, verbose=0))
    reloaded = tf.saved_model.load(export_path)
    # A model with several inputs serves them as one list or dict argument.
    served = reloaded.serve(inputs)
    got = _as_list(served)
    assert len(got) == len(expected)
    for g, want in zip(got, expected):
        np.testing.assert_allclose(np.asarray(g), want, atol=atol, rtol=0)


def _as_list(outputs):
    if isinstance(outputs, dict):
        return [outputs[k] for k in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        return list(outputs)
    return [outputs]
