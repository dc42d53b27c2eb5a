"""Portable exports: a model's numeric core as LiteRT (`.tflite`) and ONNX files.

The SavedModel serves raw inputs: strings are tokenized and looked up inside
its graph. LiteRT's built-in ops and ONNX have no such string ops, so these
formats hold the numeric core only: token ids (or the float inputs the
SavedModel takes) in, the model's probabilities (or forecasts) out; a text
core's vocabulary file is written beside it. See docs/export.md.

How the recurrent loops convert (TensorFlow 2.21, Keras 3.15, tf2onnx 1.17):

- ONNX (`model.export(format="onnx")`, through tf2onnx): the RNN's
  `tf.while_loop` becomes an ONNX `Loop`; any batch size and length.
- LiteRT (`model.export(format="litert")`): Keras lets the converter fall
  back to Select TF ("flex") ops, which runtimes without the flex delegate
  (`ai-edge-litert`, Android without `tensorflow-lite-select-tf-ops`) cannot
  run; the while loop's TensorList becomes one. With TFLite's built-in ops
  only, the TensorList needs a static `(batch, units)` element shape. So a
  core with a fixed number of steps (up to `UNROLL_MAX_STEPS`) is unrolled
  and takes any batch size; any other takes one example per call, of any
  length, through a built-in `WHILE` loop.
- Both formats are traced with the `reference` loop: tf2onnx cannot convert
  the `fast` loop's scan (it fails, or writes a file onnxruntime rejects),
  and both loops compute the same values.
"""

import contextlib
import dataclasses
import logging
import os
import warnings
from typing import Callable
from typing import Dict
from typing import Optional
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.export.check import ExportCheckError
from seqkeras.utils.arguments import invalid

#: The portable formats: the file each writes in the export, and the Python
#: modules it needs to be written and checked (the `export` extra).
PORTABLE_FORMATS = {
    "litert": {"file": "model.tflite", "modules": ("ai_edge_litert",)},
    "onnx": {"file": "model.onnx", "modules": ("tf2onnx", "onnx", "onnxruntime")},
}
#: The extra that installs those modules.
INSTALL_HINT = 'pip install "seqkeras[export]"'
#: Longer fixed-length cores keep the loop (one example per call) in LiteRT:
#: unrolled, the graph grows with every step.
UNROLL_MAX_STEPS = 64
#: The vocabulary beside a text core: `vocabulary.txt` (one token a line), or
#: `vocabulary.model` (a SentencePiece model) for `tokens: subword`.
VOCABULARY_FILE = "vocabulary{suffix}"
#: How a text core describes its input.
TOKEN_IDS = (
    "token ids of each text (see `vocabulary`), 0-padded after its end; the SavedModel "
    "tokenizes raw strings into these"
)
#: How a core over the SavedModel's own float inputs describes its input.
SAME_AS_SAVED_MODEL = "the same float32 values as the SavedModel's `input`"


@dataclasses.dataclass
class PortableCore:
    """What the portable formats hold: a Keras model from numbers to numbers.

    Attributes:
        model: The core, with one input; it runs in float32.
        check_inputs: Model inputs the written files are checked on.
        input_form: What the input holds, in words.
        output_form: What the output holds, in words.
        vocabulary: For token-id inputs, the vocabulary that gives the ids;
            its file is written beside the core. Defaults to `None`.
    """

    model: keras.Model
    check_inputs: np.ndarray
    input_form: str
    output_form: str
    vocabulary: Optional[Vocabulary] = None


def write_portable(core: PortableCore, directory: str, formats: Sequence[str]) -> Dict[str, dict]:
    """Write `formats` of `core` into `directory`, each checked in its runtime.

    Each file is loaded in its own runtime (`ai_edge_litert`'s interpreter,
    an onnxruntime session) and its outputs for `core.check_inputs` are
    compared with the Keras model's.

    Returns:
        What `seqkeras_export.json` records of each format under `portable`.

    Raises:
        seqkeras.export.ExportCheckError: if a written file disagrees.
    """
    if not formats:
        return {}
    expected = keras.ops.convert_to_numpy(core.model(core.check_inputs, training=False))
    info = {}
    for name in formats:
        path = os.path.join(directory, PORTABLE_FORMATS[name]["file"])
        write, run, layout_of = _FORMATS[name]
        layout = layout_of(core)
        with portable_trace(core.model, unroll=layout["unrolled"]):
            write(core, path, layout)
        outputs, names = run(path, core.check_inputs, layout)
        if outputs.shape != expected.shape or not np.allclose(outputs, expected, atol=1e-4):
            raise ExportCheckError(
                f"Export check failed: {os.path.basename(path)} ({name}) gives outputs "
                f"{largest_difference(outputs, expected)} for the same inputs as the model."
            )
        info[name] = _describe(core, path, names, layout)
    if core.vocabulary is not None:
        core.vocabulary.save(os.path.join(directory, _vocabulary_file(core.vocabulary)))
    return info


@contextlib.contextmanager
def portable_trace(model: keras.Model, *, unroll: bool):
    """Trace `model` with the reference loop (and unrolled), then restore it.

    Its recurrent layers, and so those of the models that share them (a
    seq2seq model's encoder and decoder step), for the block.
    """
    layers = list(_recurrent_layers(model))
    # Keras's own RNN layers have no `implementation`; seqkeras's all run "reference".
    saved = [(getattr(layer, "implementation", None), layer.unroll) for layer in layers]
    try:
        for layer in layers:
            layer.unroll = unroll
            if hasattr(layer, "implementation"):
                layer.implementation = "reference"
        yield
    finally:
        for layer, (implementation, unrolled) in zip(layers, saved):
            layer.unroll = unrolled
            if implementation is not None:
                layer.implementation = implementation


def _recurrent_layers(layer):
    # The walk of `seqkeras.layers.set_implementation`, through Keras's
    # public types: the export package does not import the layers package
    # (docs/architecture.md).
    if isinstance(layer, keras.layers.Bidirectional):
        yield from _recurrent_layers(layer.forward_layer)
        yield from _recurrent_layers(layer.backward_layer)
    elif isinstance(layer, keras.layers.RNN):
        yield layer
    for child in getattr(layer, "layers", []):
        yield from _recurrent_layers(child)


def _litert_layout(core: PortableCore) -> dict:
    steps = core.model.input.shape[1]
    fixed = None not in core.model.input.shape[1:] and steps <= UNROLL_MAX_STEPS
    return {"unrolled": fixed, "batch": None if fixed else 1}


def _onnx_layout(core: PortableCore) -> dict:
    return {"unrolled": False, "batch": None}


def _input_spec(core: PortableCore, layout: dict) -> tf.TensorSpec:
    shape = (layout["batch"], *core.model.input.shape[1:])
    return tf.TensorSpec(shape, core.model.input.dtype, name="inputs")


def _write_litert(core: PortableCore, path: str, layout: dict) -> None:
    core.model.export(
        path,
        format="litert",
        verbose=False,
        input_signature=[_input_spec(core, layout)],
        # Built-in ops only: what every LiteRT runtime runs (see the module docstring).
        target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]},
    )


def _run_litert(path: str, inputs: np.ndarray, layout: dict):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path)
    [signature] = interpreter.get_signature_list()
    runner = interpreter.get_signature_runner(signature)
    [input_name] = runner.get_input_details()
    [output_name] = runner.get_output_details()
    batches = [inputs] if layout["batch"] is None else np.split(inputs, len(inputs))
    outputs = [runner(**{input_name: batch})[output_name] for batch in batches]
    names = {"input": input_name, "output": output_name, "signature": signature}
    return np.concatenate(outputs), names


def _write_onnx(core: PortableCore, path: str, layout: dict) -> None:
    export_onnx(core.model, path, [_input_spec(core, layout)])


def export_onnx(model: keras.Model, path: str, input_signature=None) -> None:
    """`model.export(path, format="onnx")`, without the notices nobody can act on.

    `input_signature` defaults to the model's inputs, any batch size.
    """
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    # tf2onnx exports the graph's collections too, and TensorFlow warns that
    # lookup tables of the process (a text SavedModel's) do not serialize
    # there; the ONNX graph never reads them.
    tf_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            # Keras's numpy 2 patch of tf2onnx asks NumPy for `np.object`.
            warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
            model.export(path, format="onnx", verbose=False, input_signature=input_signature)
    finally:
        tf_logger.setLevel(level)


def _run_onnx(path: str, inputs: np.ndarray, layout: dict):
    [outputs], names = run_onnx_session(path, [inputs])
    [input_name], [output_name] = names["inputs"], names["outputs"]
    return outputs, {"input": input_name, "output": output_name}


def run_onnx_session(path: str, inputs: Sequence[np.ndarray]):
    """Run the ONNX file at `path` in onnxruntime on `inputs`, in the file's input order.

    Returns:
        `(outputs, names)`: the list of outputs, and `{"inputs": [...],
        "outputs": [...]}`, the names onnxruntime gives them.
    """
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    input_names = [i.name for i in session.get_inputs()]
    output_names = [o.name for o in session.get_outputs()]
    outputs = session.run(output_names, dict(zip(input_names, inputs)))
    return outputs, {"inputs": input_names, "outputs": output_names}


#: Per format: write(core, path, layout), run(path, inputs, layout) and the
#: layout (unrolled or not, the batch size) it gives `core`.
_FORMATS: Dict[str, tuple] = {
    "litert": (_write_litert, _run_litert, _litert_layout),
    "onnx": (_write_onnx, _run_onnx, _onnx_layout),
}


def _describe(core: PortableCore, path: str, names: dict, layout: dict) -> dict:
    """The file's entry in `seqkeras_export.json`, with the names its runtime reads."""
    batch = layout["batch"]
    described = {
        "file": os.path.basename(path),
        "inputs": [
            {
                "name": names["input"],
                "dtype": core.model.input.dtype,
                "shape": [batch, *core.model.input.shape[1:]],
                "form": core.input_form,
            }
        ],
        "outputs": [
            {
                "name": names["output"],
                "dtype": core.model.output.dtype,
                "shape": [batch, *core.model.output.shape[1:]],
                "form": core.output_form,
            }
        ],
        "batch": "any size" if batch is None else "one example per call",
    }
    if "signature" in names:
        described["signature"] = names["signature"]
        described["loop"] = "unrolled" if layout["unrolled"] else "WHILE (TFLite built-in)"
    if core.vocabulary is not None:
        described["vocabulary"] = describe_vocabulary(
            core.vocabulary, _vocabulary_file(core.vocabulary)
        )
    return described


def describe_vocabulary(vocabulary, file: str) -> dict:
    """What `seqkeras_export.json` says of a vocabulary file beside a portable core."""
    subword = vocabulary.split == "subword"
    return {
        "file": file,
        "split": vocabulary.split,
        "ids": "the SentencePiece model's piece ids (sentencepiece.SentencePieceProcessor "
        "encodes text as they were made)"
        if subword
        else "line n + 2 holds the token of id n (line 1 names the split)",
        "padding_id": vocabulary.pad_id,
        "unknown_id": vocabulary.unk_id,
    }


def _vocabulary_file(vocabulary) -> str:
    return VOCABULARY_FILE.format(suffix=vocabulary.file_suffix)


def largest_difference(outputs: np.ndarray, expected: np.ndarray) -> str:
    """How far `outputs` are from `expected`, for a failed check's message."""
    if outputs.shape != expected.shape:
        return f"of shape {outputs.shape}, not {expected.shape},"
    # As floats: a mask's booleans have no difference of their own.
    distance = np.abs(np.asarray(outputs, "float64") - np.asarray(expected, "float64"))
    return f"up to {float(np.max(distance)):.3g} away from the model's"


def portable_writer(core: PortableCore, formats: Sequence[str]) -> Optional[Callable]:
    """`write(directory) -> info` for `write_saved_model`'s `extras`, or `None`.

    Raises:
        ValueError: for a format that is not in `PORTABLE_FORMATS`, or repeated.
    """
    formats = list(formats)
    if any(f not in PORTABLE_FORMATS for f in formats) or len(set(formats)) < len(formats):
        raise invalid("formats", f"distinct names among {', '.join(PORTABLE_FORMATS)}", formats)
    if not formats:
        return None
    return lambda directory: {"portable": write_portable(core, directory, formats)}


def probabilities_form(model: keras.Model, what: str) -> str:
    """How a portable core's output describes `what` the probabilities are of."""
    if model.get_layer("outputs").activation is keras.activations.softmax:
        return f"probabilities of {what}"
    return f"logits of {what} (their softmax is the probabilities)"
