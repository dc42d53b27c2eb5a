"""Export a forecaster: a window of a series in, predicted values out."""

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.export.manifest import ExportManifest
from seqkeras.export.manifest import describe_input
from seqkeras.export.portable import SAME_AS_SAVED_MODEL
from seqkeras.export.portable import PortableCore
from seqkeras.export.predictor import export_predictor
from seqkeras.utils.arguments import invalid


def export_forecaster(
    model: keras.Model,
    path: str,
    *,
    mean: float = 0.0,
    std: float = 1.0,
    check_inputs=None,
    formats: Sequence[str] = (),
) -> str:
    """Write a SavedModel that forecasts from raw series values, without seqkeras.

    `serving_default(inputs)` takes `float32` windows shaped like the
    model's input, `(batch, steps, features)`, of raw values in the
    series' own units; it standardises them with `mean` and `std`, runs the
    model and returns `outputs`, the forecasts in the series' units
    `(batch, horizon)`: the next `horizon` values after each window.
    `seqkeras_export.json` (in `path`) records `window` (`steps`, or `None`
    when the model takes any length) and `horizon`.

    Args:
        model: A `seqkeras.models.build_many_to_one` regression model
            (`output_activation=None`).
        path: Directory to write; an earlier export there is replaced.
        mean: Mean the training series was centred with. Defaults to `0.`.
        std: Positive standard deviation it was scaled by. Defaults to `1.`.
        check_inputs: Windows for the check. Defaults to `None`: three
            seeded random windows.
        formats: Portable formats to write beside the SavedModel,
            `"litert"` (`model.tflite`) and `"onnx"` (`model.onnx`): the
            same windows in, forecasts out, in the series' units (see
            `seqkeras.export.portable`). Defaults to `()`.

    Returns:
        The absolute path of the export.

    Raises:
        ValueError: if `std` is not positive.
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    if not float(std) > 0:
        raise invalid("std", "a positive float", std)
    mean, std = float(mean), float(std)

    def prepare(windows):
        return (windows - mean) / std

    def finish(unused_inputs, outputs):
        return {"outputs": outputs * std + mean}

    shape = tuple(model.input.shape[1:])
    spec = tf.TensorSpec((None, *shape), tf.float32, name="inputs")
    if check_inputs is None:
        steps = [s or 6 for s in shape]
        check_inputs = mean + std * np.random.default_rng(0).normal(size=(3, *steps))
    check_inputs = np.asarray(check_inputs, "float32")
    scaled = prepare(tf.constant(check_inputs))
    expected = {k: v.numpy() for k, v in finish(None, model(scaled, training=False)).items()}
    info = ExportManifest(
        kind="forecast",
        inputs="float32",
        mean=mean,
        std=std,
        # Steps in, values out: the window it reads and how far ahead it forecasts.
        window=shape[0],
        input=describe_input(
            spec,
            units="the series' raw values, in its own units (standardised inside the export)",
            window=shape[0],
            form="the last `window` values of the series, oldest first",
        ),
        horizon=int(model.output.shape[-1]),
    ).to_json()
    portable = PortableCore(
        _in_series_units(model, mean, std),
        check_inputs,
        input_form=SAME_AS_SAVED_MODEL,
        output_form="the forecasts, in the series' units (as the SavedModel's `outputs`)",
    )
    return export_predictor(
        model,
        prepare,
        finish,
        path,
        spec,
        check_inputs,
        expected,
        info=info,
        portable=portable,
        formats=formats,
    )


def _in_series_units(model: keras.Model, mean: float, std: float) -> keras.Model:
    """`model` between the standardisation and its inverse, as Keras layers.

    So that the portable formats, like the SavedModel, take and give values
    in the series' units.
    """
    windows = keras.Input(model.input.shape[1:], name="inputs")
    standardised = keras.layers.Rescaling(1.0 / std, offset=-mean / std)(windows)
    forecasts = keras.layers.Rescaling(std, offset=mean)(model(standardised))
    return keras.Model(windows, forecasts, name=f"{model.name}_in_series_units")
