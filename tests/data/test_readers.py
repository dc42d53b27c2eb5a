"""Readers: every source format, and DataError messages naming file and line."""

import logging
import re

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.data import readers
from seqkeras.data.readers import read_csv
from seqkeras.data.readers import read_tsv
from seqkeras.errors import DataError


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_read_lines_keeps_text_and_line_numbers_and_counts_blank(tmp_path, caplog):
    path = write(tmp_path / "a.txt", "héllo\n\nworld ✓\r\n   \nlast")
    with caplog.at_level(logging.INFO, logger="seqkeras.data"):
        records = readers.read_lines(path)
    assert records["text"] == ["héllo", "world ✓", "last"]
    assert records.lines == [1, 3, 5]
    assert records.skipped_blank == 2
    assert "skipped 2 blank line(s)" in caplog.text
    assert records.where(1) == f"{path}, line 3"
    assert [
        x.decode() for x in records.to_dataset().map(lambda r: r["text"]).as_numpy_iterator()
    ] == [
        "héllo",
        "world ✓",
        "last",
    ]


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.txt"
    with pytest.raises(DataError, match=re.escape(f"{path}: no such file.")):
        readers.read_lines(path)


def test_empty_file_names_the_path(tmp_path):
    path = write(tmp_path / "empty.tsv", "\n  \n")
    with pytest.raises(DataError, match=re.escape(f"{path}: the file is empty.")):
        readers.read_tsv(path, ["a"])


def test_invalid_utf8_names_file_line_and_column(tmp_path):
    path = write(tmp_path / "bad.txt", b"fine\nalso fine\nab\xffcd\n")
    with pytest.raises(DataError) as info:
        readers.read_lines(path)
    assert str(info.value).startswith(f"{path}, line 3, column 3: not valid UTF-8 (byte 0xff)")


def test_wrong_column_name_lists_the_header(tmp_path):
    path = write(tmp_path / "pairs.tsv", "source\ttarget\nab\tcd\n")
    with pytest.raises(DataError) as info:
        readers.read_tsv(path, ["source", "traget"])
    assert str(info.value) == (
        f"{path}, line 1: no column named 'traget'; the header has: 'source', 'target'."
    )


def test_short_row_names_the_line(tmp_path):
    path = write(tmp_path / "pairs.tsv", "source\ttarget\nab\tcd\n\nef\n")
    with pytest.raises(DataError, match=re.escape(f"{path}, line 4: column 'target' is field 2")):
        readers.read_tsv(path, ["source", "target"])


def test_tsv_reads_chosen_columns_literally(tmp_path):
    path = write(tmp_path / "p.tsv", 'a\tb\tc\n"x\t1\ty\n\nz\t2\tw\n')
    records = readers.read_tsv(path, ["c", 0])
    assert records.columns == {"c": ["y", "w"], "a": ['"x', "z"]}
    assert records.lines == [2, 4]
    assert records.skipped_blank == 1


def test_csv_quotes_and_no_header(tmp_path):
    path = write(tmp_path / "p.csv", '"hello, world",1\nbye,2\n')
    records = readers.read_csv(path, [0, 1], header=False)
    assert records.columns == {"0": ["hello, world", "bye"], "1": ["1", "2"]}
    with pytest.raises(DataError, match="no header"):
        readers.read_csv(path, ["text"], header=False)


def test_jsonl_fields_and_errors(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"src": "a", "tgt": "b"}\n{"src": "c", "tgt": "d"}\n')
    assert readers.read_jsonl(path, ["tgt"]).columns == {"tgt": ["b", "d"]}
    bad = write(tmp_path / "bad.jsonl", '{"src": "a"}\n{"src": "c"\n')
    with pytest.raises(DataError, match=re.escape(f"{bad}, line 2, column 12: not valid JSON")):
        readers.read_jsonl(bad, ["src"])
    with pytest.raises(
        DataError, match=re.escape(f"{bad}, line 1: no field 'tgt'; the object has: 'src'.")
    ):
        readers.read_jsonl(bad, ["tgt"])


def test_tfrecord_round_trip_and_missing(tmp_path):
    path = str(tmp_path / "x.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for text in ["one", "two"]:
            feature = {
                "text": tf.train.Feature(bytes_list=tf.train.BytesList(value=[text.encode()]))
            }
            writer.write(
                tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
            )
    spec = {"text": tf.io.FixedLenFeature([], tf.string)}
    texts = [r["text"] for r in readers.read_tfrecord(path, spec).as_numpy_iterator()]
    assert texts == [b"one", b"two"]
    with pytest.raises(DataError, match="no such file"):
        readers.read_tfrecord(str(tmp_path / "missing.tfrecord"), spec)


def test_from_arrays_tuples_dicts_and_errors():
    x, y = np.arange(6).reshape(3, 2), np.array([7, 8, 9])
    first = next(iter(readers.from_arrays(x, y)))
    assert first[0].numpy().tolist() == [0, 1] and int(first[1]) == 7
    assert int(next(iter(readers.from_arrays(rows=x, label=y)))["label"]) == 7
    with pytest.raises(ValueError, match="same first dimension"):
        readers.from_arrays(x, y[:2])
    with pytest.raises(ValueError, match="either positionally or by name"):
        readers.from_arrays(x, label=y)


def test_read_tfds_unknown_and_unprepared(tmp_path):
    with pytest.raises(
        DataError, match=r"tfds:no_such_dataset_xyz: Dataset no_such_dataset_xyz not found"
    ):
        readers.read_tfds("no_such_dataset_xyz", data_dir=tmp_path)
    with pytest.raises(DataError, match=r"tfds:imdb_reviews: not prepared under data_dir"):
        readers.read_tfds("imdb_reviews", data_dir=tmp_path)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_kind_of_line_ending_reads_the_same(tmp_path, newline):
    path = tmp_path / "pairs.csv"
    path.write_bytes(newline.join(["source,target", "abc,cba", "", "de,ed", ""]).encode())
    records = readers.read_csv(path, ["source", "target"])
    assert records["source"] == ["abc", "de"] and records["target"] == ["cba", "ed"]
    assert records.where(1) == f"{path}, line 4"


def test_a_csv_error_is_told_in_our_own_words_with_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("source,target\nabc,cba\n" + "x" * 200_000 + ",z\n")  # past csv's limit
    with pytest.raises(DataError, match=r"bad.csv, line 3: cannot be read as CSV \(.*\); check"):
        readers.read_csv(path, ["source", "target"])


def test_a_header_naming_a_column_twice_is_refused_naming_both_fields(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("text,label,label\ngood,pos,neg\n")
    with pytest.raises(
        DataError,
        match=r"train\.csv, line 1: the header names column 'label' twice \(fields 2 and 3\)",
    ):
        read_csv(path, ["text", "label"])
    path.write_text("text,label,,\ngood,pos,,\n")  # trailing delimiters: unnamed, never asked for
    assert read_csv(path, ["text", "label"]).columns["label"] == ["pos"]


@pytest.mark.parametrize(
    "name, text, message",
    [
        (
            "train.csv",
            "text,label\ngood,pos\nfine, really,pos\n",
            r"line 3: 3 fields, but the header names 2; quote a field",
        ),
        (
            "train.tsv",
            "text\tlabel\ngood\tpos\tx\n",
            r"line 2: 3 fields, but the header names 2; a TSV field cannot hold a tab",
        ),
        (
            "train.csv",
            'text,label\ngood,pos\n"fine,pos\nbad,neg\n',
            r"line 3: a quote opened there is never closed",
        ),
    ],
)
def test_rows_past_the_header_and_unclosed_quotes_name_the_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    reader = read_tsv if name.endswith(".tsv") else read_csv
    with pytest.raises(DataError, match=rf"{name}, {message}"):
        reader(path, ["text", "label"])
