"""The serving signature of models that predict in one pass (no decoding loop)."""

from typing import Callable
from typing import Dict
from typing import Optional
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.export.check import check_reloaded
from seqkeras.export.portable import PortableCore
from seqkeras.export.portable import portable_writer
from seqkeras.export.saved_model_writer import Endpoint
from seqkeras.export.saved_model_writer import write_saved_model


def probabilities_of(model: keras.Model, outputs):
    """The output layer's softmax probabilities, from probabilities or logits."""
    activation = model.get_layer("outputs").activation
    if activation is keras.activations.softmax:
        return outputs
    if activation is keras.activations.linear:
        return tf.nn.softmax(outputs)
    raise ValueError(
        "Received an invalid value for `model`: expected an `outputs` layer "
        f"with a softmax or linear activation, got {activation!r}."
    )


def export_predictor(
    model: keras.Model,
    prepare: Callable,
    finish: Callable,
    path: str,
    input_spec: tf.TensorSpec,
    check_inputs,
    expected: Dict[str, np.ndarray],
    *,
    info: dict,
    resources: Sequence = (),
    portable: Optional[PortableCore] = None,
    formats: Sequence[str] = (),
) -> str:
    """Write `serving_default(inputs) = finish(ids, model(prepare(inputs)))`.

    `prepare` turns the raw serving inputs into the model's inputs and
    `finish(model_inputs, outputs)` the model's outputs into the served
    dict. The reloaded export's outputs for `check_inputs` must equal
    `expected`, which the caller computes in process (text encoded in
    Python, not by the graph's tokenizer). `formats` (`"litert"`,
    `"onnx"`) of the `portable` core are written beside the SavedModel.

    Inputs whose shape differs from `input_spec`'s (a forecaster's window
    of 1,000 steps where it reads 8) are refused with an
    `InvalidArgumentError` naming both shapes: a loaded signature does
    not check shapes itself, and a recurrent model would answer any length.
    """

    def serve(inputs) -> Dict[str, tf.Tensor]:
        model_inputs = prepare(tf.ensure_shape(inputs, input_spec.shape))
        return finish(model_inputs, model(model_inputs, training=False))

    def check(staging):
        check_reloaded(staging, "serving_default", {"inputs": check_inputs}, expected)

    return write_saved_model(
        path,
        {"serving_default": Endpoint(serve, [input_spec])},
        resources=[model, *resources],
        check=check,
        info=info,
        extras=portable_writer(portable, formats),
    )


def pad_ids(ids) -> np.ndarray:
    """Python-encoded id lists to a 0-padded array at least one step wide."""
    padded = np.zeros((len(ids), max(1, max(map(len, ids), default=0))), "int32")
    for row, row_ids in enumerate(ids):
        padded[row, : len(row_ids)] = row_ids
    return padded
