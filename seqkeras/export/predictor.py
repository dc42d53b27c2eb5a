"""The serving module of models that predict in one pass (no decoding loop)."""

from typing import Callable, Dict

import keras
import numpy as np
import tensorflow as tf

from seqkeras.export.check import check_reloaded
from seqkeras.export.saved_model_writer import write_saved_model


class Predictor(tf.Module):
    """`serving_default(inputs) = finish(model(prepare(inputs)))`, tracked."""

    def __init__(self, model: keras.Model, prepare: Callable, finish: Callable, **tracked):
        super().__init__(name="predictor")
        self.model = model
        self._prepare = prepare
        self._finish = finish
        for name, value in tracked.items():
            setattr(self, name, value)

    def run(self, inputs) -> Dict[str, tf.Tensor]:
        model_inputs = self._prepare(inputs)
        return self._finish(model_inputs, self.model(model_inputs, training=False))


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
    predictor: Predictor,
    path: str,
    input_spec: tf.TensorSpec,
    check_inputs,
    expected: Dict[str, np.ndarray],
    info: dict,
) -> str:
    """Write `predictor`'s `serving_default` and check it against `expected`."""
    predictor.serve = tf.function(predictor.run, input_signature=[input_spec])
    signatures = {"serving_default": predictor.serve}

    def check(staging):
        check_reloaded(staging, "serving_default", {"inputs": check_inputs}, expected)

    info = {**info, "signatures": sorted(signatures)}
    return write_saved_model(predictor, path, signatures, check=check, info=info)


def pad_ids(ids) -> np.ndarray:
    """Python-encoded id lists to a 0-padded array at least one step wide."""
    padded = np.zeros((len(ids), max(1, max(map(len, ids), default=0))), "int32")
    for row, row_ids in enumerate(ids):
        padded[row, : len(row_ids)] = row_ids
    return padded
