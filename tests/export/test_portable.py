"""`seqkeras.export.portable`: the traced loop, the layout per format, argument errors."""

import numpy as np
import pytest

from seqkeras import export
from seqkeras.export.portable import UNROLL_MAX_STEPS
from seqkeras.layers import set_implementation
from seqkeras.models import build_many_to_one


def test_the_fast_loop_exports_through_the_reference_loop_and_stays_fast(tmp_path):
    # tf2onnx cannot convert the fast loop; the files hold the reference loop,
    # and the model keeps its own loop afterwards.
    model = build_many_to_one(
        3, input_dim=4, sequence_length=5, units=6, cell="vanilla", bidirectional=True
    )
    set_implementation(model, "fast")
    windows = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    path = export.export_classifier(
        model, tmp_path / "export", labels=["a", "b", "c"], check_inputs=windows,
        formats=("onnx", "litert"),
    )  # fmt: skip
    portable = export.read_export_info(path)["portable"]
    assert 5 <= UNROLL_MAX_STEPS and portable["litert"]["loop"] == "unrolled"
    assert portable["litert"]["inputs"][0]["shape"] == [None, 5, 4]
    assert portable["onnx"]["inputs"][0]["shape"] == [None, 5, 4]
    assert portable["onnx"]["outputs"][0]["shape"] == [None, 3]
    assert "vocabulary" not in portable["onnx"]
    [wrapper] = [layer for layer in model.layers if hasattr(layer, "backward_layer")]
    layers = [wrapper.forward_layer, wrapper.backward_layer]
    assert all(layer.implementation == "fast" and not layer.unroll for layer in layers)


@pytest.mark.parametrize("formats", [("tflite",), ("onnx", "onnx"), ("saved_model",)])
def test_unknown_or_repeated_formats_are_refused_before_writing(tmp_path, formats):
    model = build_many_to_one(2, input_dim=1, sequence_length=3, units=2, output_activation=None)
    with pytest.raises(ValueError) as error:
        export.export_forecaster(model, tmp_path / "export", formats=formats)
    assert str(error.value) == (
        "Received an invalid value for `formats`: expected distinct names among litert, "
        f"onnx, got {list(formats)!r}."
    )
    assert list(tmp_path.iterdir()) == []
