"""Values echoed in error messages keep to a readable length (issue #14)."""

import pytest

from seqkeras.cli import main
from seqkeras.utils.shown import MAX_SHOWN
from seqkeras.utils.shown import shown


@pytest.mark.parametrize("value", ["abc", 3, None, [1, 2], "x" * (MAX_SHOWN - 2)])
def test_a_short_value_is_its_repr(value):
    assert shown(value) == repr(value)


def test_a_long_value_keeps_its_start_and_names_its_length():
    assert shown("ab" * 5_000) == "'" + "ab" * 39 + "a... (10,002 characters)"


def test_a_ten_kilobyte_name_is_refused_in_a_short_message(tmp_path, capsys):
    (tmp_path / "p.yaml").write_text("task: classify\ndata: {dataset: digits_rows}\n")
    code = main(["run", str(tmp_path / "p.yaml"), "--set", "name=" + "n/" * 5_000])
    assert code == 2
    error = capsys.readouterr().err
    assert "name: got 'n/n/n/" in error and "... (10,002 characters); expected " in error
    assert len(error) < 600, error
