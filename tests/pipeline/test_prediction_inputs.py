"""`seqkeras predict`'s numeric inputs: hostile files end in a `DataError` naming the place."""

import json

import numpy as np
import pytest

from seqkeras.errors import DataError
from seqkeras.export.manifest import ExportManifest
from seqkeras.pipeline.commands.prediction_inputs import read_examples
from seqkeras.pipeline.commands.prediction_inputs import read_windows


def test_non_finite_values_are_refused_naming_the_example_and_the_position(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.array([[1.0, 2.0], [3.0, np.nan]], "float32"))
    with pytest.raises(DataError, match=rf"^{path}\[1\]: the value at \[1\] is nan \(NaN"):
        read_examples([str(path)], (2,))
    with pytest.raises(DataError, match=r"^1,2,inf: the value at \[2\] is inf"):
        read_examples(["1,2,inf"], (3,))


@pytest.mark.parametrize(
    "series, position, value",
    [("1,2,nan,4", 2, "nan"), ("1,2,1e39,4", 2, "inf"), ("-1e39,2,3", 0, "-inf")],
)
def test_a_forecaster_s_window_with_nan_or_values_past_float32_is_refused(
    series, position, value, recwarn
):
    with pytest.raises(DataError, match=rf"^{series}: the value at \[{position}\] is {value} "):
        read_windows([series], 3)
    assert not [w for w in recwarn if "overflow" in str(w.message)]  # the message is ours


def test_cut_windows_name_the_window_of_the_bad_value(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps([[1, 2, 3], [4, None, 6]]))
    with pytest.raises(DataError, match=rf"^{path}\[1\]: the value at \[1, 0\] is nan"):
        read_windows([str(path)], 3)


def test_json_that_nests_too_deeply_is_a_data_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError, match=r"deep\.json: cannot be read as json: its arrays nest"):
        read_examples([str(path)], (2,))


@pytest.mark.parametrize("text", ['{"input": ', "[" * 100_000, "\xff"])
def test_a_damaged_manifest_is_a_data_error_naming_the_file(tmp_path, text):
    (tmp_path / "seqkeras_export.json").write_bytes(text.encode("latin-1"))
    with pytest.raises(DataError, match=r"seqkeras_export\.json: not readable as JSON"):
        ExportManifest.load(tmp_path)
