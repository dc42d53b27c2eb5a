"""Length limits: truncation and drop counts, and the error naming the line."""

import logging
import re

import pytest

from seqkeras.data import lengths
from seqkeras.data import readers
from seqkeras.errors import DataError


def test_truncate_counts_and_logs(caplog):
    with caplog.at_level(logging.WARNING, logger="seqkeras.data"):
        out, report = lengths.limit_lengths([[1, 2, 3], [4], [5, 6, 7, 8]], 2, name="source")
    assert out == [[1, 2], [4], [5, 6]]
    assert (report.total, report.truncated, report.dropped, report.longest) == (3, 2, 0, 4)
    assert "source: 2 of 3 truncated and 0 dropped at max_length=2" in caplog.text


def test_drop_keeps_indices():
    out, report = lengths.limit_lengths(["abc", "d", "efgh", "ij"], 2, on_long="drop")
    assert out == ["d", "ij"]
    assert report.kept == (1, 3) and report.dropped == 2 and report.truncated == 0


def test_error_names_file_and_line(tmp_path):
    path = tmp_path / "words.tsv"
    path.write_text("word\tphones\nab\tA B\n\nabcdef\tA B C D E F\n", encoding="utf-8")
    records = readers.read_tsv(path, ["word"])
    where = [records.where(i) for i in range(len(records))]
    with pytest.raises(DataError) as info:
        lengths.limit_lengths(
            records["word"], 4, on_long="error", where=where, name="column 'word'"
        )
    assert (
        str(info.value) == f"{path}, line 4: column 'word' has 6 tokens, longer than max_length=4."
    )


def test_invalid_arguments():
    with pytest.raises(
        ValueError, match=re.escape("`max_length`: expected a positive integer, got 0")
    ):
        lengths.limit_lengths([[1]], 0)
    with pytest.raises(
        ValueError, match="`on_long`: expected one of 'truncate', 'drop', 'error', got 'cut'"
    ):
        lengths.limit_lengths([[1]], 3, on_long="cut")
