"""`seqkeras.utils.atomic_files`: a file is replaced whole, or left as it was."""

import pytest

from seqkeras.utils.atomic_files import replaced_atomically
from seqkeras.utils.atomic_files import write_text_atomically


def test_the_new_file_takes_the_name_and_nothing_else_is_left(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("old")
    write_text_atomically(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_a_failure_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "predictions.tsv"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        with replaced_atomically(path) as temporary:
            temporary.write_text("half of it")
            raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["predictions.tsv"]


def test_a_writer_that_wants_a_suffix_gets_its_temporary_name(tmp_path):
    path = tmp_path / "last.weights.h5"
    chosen = tmp_path / "last.tmp.weights.h5"
    with replaced_atomically(path, temporary=chosen, fsync=True) as temporary:
        assert temporary == chosen
        temporary.write_bytes(b"weights")
    assert path.read_bytes() == b"weights" and not chosen.exists()
