"""What an export's `serving_default` takes, as `seqkeras_export.json` records it."""

from typing import Optional

import tensorflow as tf

#: How every text export describes its input.
RAW_STRINGS = "raw strings (UTF-8), one example each; tokenised inside the export"


def describe_input(spec: tf.TensorSpec, notes: Optional[dict] = None, **more) -> dict:
    """`{"dtype", "shape", ...}` of `spec` (`null` where any size goes), with the notes.

    Notes are what the values are (`units`, `range`, `form`, ...); keys whose
    value is `None` (unknown) are left out.
    """
    described = {"dtype": spec.dtype.name, "shape": spec.shape.as_list()}
    for key, value in {**(notes or {}), **more}.items():
        if value is not None:
            described[key] = list(value) if isinstance(value, tuple) else value
    return described
