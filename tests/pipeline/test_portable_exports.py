"""`export.formats: [saved_model, litert, onnx]`: the portable files of a run, reloaded.

One smoke run per task kind that writes them (classify on digit pixels,
tag on characters, forecast), shared by the tests of both formats. Each
file runs in its own runtime (onnxruntime, ai-edge-litert) in a fresh
process that imports neither TensorFlow nor seqkeras, driven only by what
`seqkeras_export.json` says of it; its outputs on the test split's first
batch must equal the Keras model's (`model.keras`) to 1e-4.
"""

import json
import pathlib

import keras
import numpy as np
import pytest

from seqkeras.data import Vocabulary
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.tasks import get_task
from tests.helpers import run_python
from tests.helpers import run_seqkeras

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("portable_exports")]

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORMATS = "export.formats=[saved_model, litert, onnx]"
#: Each core's input shape after the batch (text: any length), and its batch
#: in LiteRT: fixed lengths are unrolled (any batch), text runs one example a call.
INPUT_SHAPES = {"digits_rows": [8, 8], "word_boundaries": [None], "sunspots": [16, 1]}
LITERT_BATCH = {"digits_rows": None, "word_boundaries": 1, "sunspots": None}
#: Shorter texts for the tagger: its smoke run trains on them (CI time).
SHORTER = {"word_boundaries": ["--set", "data.max_length=40"]}

# Runs the file as a user would, from seqkeras_export.json alone.
RUNTIME = """
import json, sys
import numpy as np
info = json.load(open({export!r} + "/seqkeras_export.json"))["portable"][{fmt!r}]
path = {export!r} + "/" + info["file"]
[given], [wanted] = info["inputs"], info["outputs"]
inputs = np.load({inputs!r}).astype(given["dtype"])
if {fmt!r} == "onnx":
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    [outputs] = session.run([wanted["name"]], {{given["name"]: inputs}})
else:
    from ai_edge_litert.interpreter import Interpreter
    runner = Interpreter(model_path=path).get_signature_runner(info["signature"])
    rows = [inputs] if given["shape"][0] is None else np.split(inputs, len(inputs))
    outputs = np.concatenate([runner(**{{given["name"]: row}})[wanted["name"]] for row in rows])
np.save({outputs!r}, outputs)
print(sorted(m for m in ("tensorflow", "keras", "seqkeras") if m in sys.modules))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """`runs(pipeline)`: its smoke run folder with every export format, made once."""
    made = {}

    def run(pipeline):
        if pipeline not in made:
            cwd = tmp_path_factory.mktemp(pipeline)
            yaml = str(ROOT / "pipelines" / f"{pipeline}.yaml")
            result = run_seqkeras(
                "run", yaml, "--smoke", "--output-dir", "runs", "--set", "model.units=8",
                "--set", FORMATS, *SHORTER.get(pipeline, []), cwd=cwd,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr[-3000:]
            (made[pipeline],) = [
                p for p in (cwd / "runs" / pipeline).iterdir() if not p.is_symlink()
            ]
        return made[pipeline]

    return run


def first_test_batch(run_dir: pathlib.Path, info: dict):
    """The test split's first batch as the export takes it, and the Keras model's outputs."""
    config = load_config(run_dir / "config.yaml")
    vocabularies = {
        path.name.split(".")[1]: Vocabulary.load(path) for path in run_dir.glob("vocabulary.*.txt")
    }
    data = get_task(config.task).prepare(config, smoke=True, vocabularies=vocabularies)
    inputs = np.asarray(next(iter(data.test))[0])
    model = keras.saving.load_model(run_dir / "model.keras")
    outputs = keras.ops.convert_to_numpy(model(inputs, training=False))
    if info["kind"] == "forecast":  # the export takes and gives the series' own units
        mean, std = info["mean"], info["std"]
        return inputs * std + mean, outputs * std + mean
    return inputs, outputs


@pytest.mark.parametrize("fmt", ["litert", "onnx"])
@pytest.mark.parametrize("pipeline", ["digits_rows", "word_boundaries", "sunspots"])
def test_portable_file_equals_the_keras_model_in_its_own_runtime(runs, pipeline, fmt, tmp_path):
    export = runs(pipeline) / "export"
    info = json.loads((export / "seqkeras_export.json").read_text())
    described = info["portable"][fmt]
    assert (export / described["file"]).is_file()
    inputs, expected = first_test_batch(export.parent, info)
    assert len(inputs) > 1  # a real batch: the LiteRT runs of one example each are compared too

    np.save(tmp_path / "inputs.npy", inputs)
    code = RUNTIME.format(
        export=str(export),
        fmt=fmt,
        inputs=str(tmp_path / "inputs.npy"),
        outputs=str(tmp_path / "outputs.npy"),
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[]"  # neither TensorFlow, Keras nor seqkeras loaded
    outputs = np.load(tmp_path / "outputs.npy")
    assert outputs.shape == expected.shape
    np.testing.assert_allclose(outputs, expected, atol=1e-4, rtol=0)

    batch = None if fmt == "onnx" else LITERT_BATCH[pipeline]
    assert described["inputs"][0]["shape"] == [batch, *INPUT_SHAPES[pipeline]]
    if info["inputs"] == "strings":
        vocabulary = described["vocabulary"]
        assert vocabulary["padding_id"] == 0 and vocabulary["split"] == "char"
        served = Vocabulary.load(export / vocabulary["file"])
        assert served.tokens == Vocabulary.load(export.parent / "vocabulary.source.txt").tokens
