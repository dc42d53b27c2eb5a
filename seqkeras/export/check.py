"""The check every export runs: reload the SavedModel and compare outputs."""

from typing import Dict
from typing import Mapping

import numpy as np
import tensorflow as tf


class ExportCheckError(RuntimeError):
    """A reloaded export disagrees with the in-process model; nothing was written."""


def check_reloaded(
    path,
    signature: str,
    inputs: Mapping[str, object],
    expected: Dict[str, np.ndarray],
    *,
    atol: float = 1e-4,
) -> Dict[str, np.ndarray]:
    """Load `path` with `tf.saved_model.load`, run a signature, compare outputs.

    Args:
        path: The SavedModel directory, or the object `tf.saved_model.load`
            returned for it (to check several signatures of one load).
        signature: Name of the signature to run (e.g. `"serving_default"`).
        inputs: Keyword inputs of the signature.
        expected: Outputs the in-process model gave, by output name; strings
            and integers must be equal, floats within `atol`.
        atol: Absolute tolerance for float outputs. Defaults to `1e-4`.

    Returns:
        The reloaded signature's outputs as NumPy arrays.

    Raises:
        ExportCheckError: naming the first output that differs.
    """
    loaded = tf.saved_model.load(path) if isinstance(path, (str, bytes)) else path
    outputs = loaded.signatures[signature](
        **{name: tf.constant(value) for name, value in inputs.items()}
    )
    outputs = {name: value.numpy() for name, value in outputs.items()}
    for name, want in expected.items():
        if name not in outputs:
            raise ExportCheckError(
                f"Export check failed: signature {signature!r} has no output "
                f"{name!r}; it has {sorted(outputs)}."
            )
        got, want = outputs[name], np.asarray(want)
        if got.shape != want.shape:
            raise ExportCheckError(
                f"Export check failed: output {name!r} of {signature!r} has "
                f"shape {got.shape} after reloading, {want.shape} in process."
            )
        if want.dtype.kind in "fc":
            # NaN where the model gave NaN is the same answer, not a difference.
            same = np.allclose(got, want, atol=atol, equal_nan=True)
        else:
            same = np.array_equal(got, want)
        if not same:
            raise ExportCheckError(
                f"Export check failed: output {name!r} of {signature!r} "
                f"differs after reloading: {_preview(got)} instead of "
                f"{_preview(want)} for inputs {_preview(inputs)}."
            )
    return outputs


def _preview(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
