"""text: Python's help topics (or the user's file), documents never cross splits."""

import re
from pydoc_data.topics import topics

import pytest

from seqkeras.data import catalog
from seqkeras.errors import DataError
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["text"]


def test_all_topics_once(built):
    builder = built("text")
    sizes = {name: info.num_examples for name, info in builder.info.splits.items()}
    assert sizes == {"train": 63, "validation": 8, "test": 8}
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name) for name in ENTRY.sizes}
    titles = [e["title"].decode() for v in splits.values() for e in v]
    assert sorted(titles) == sorted(topics) and len(titles) == len(set(titles)) == 79
    assert sum(len(e["text"].decode()) for v in splits.values() for e in v) == sum(
        len(t) for t in topics.values()
    )
    assert sum(len(t) for t in topics.values()) == 464970  # Python 3.11's pydoc_data


def test_user_file_split_into_paragraphs(tmp_path, datasets_dir):
    path = tmp_path / "story.txt"
    paragraphs = [f"Paragraph {i} says something.\nIt has two lines." for i in range(20)]
    path.write_text("\n\n\n".join(paragraphs) + "\n", encoding="utf-8")
    read = {
        name: [
            e["text"].numpy().decode()
            for e in catalog.load("text", name, path=path, data_dir=datasets_dir)
        ]
        for name in ("train", "validation", "test")
    }
    assert [len(v) for v in read.values()] == [16, 2, 2]
    assert sorted(sum(read.values(), [])) == sorted(paragraphs)


def test_user_file_errors(tmp_path, datasets_dir):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"good line\n\xc3\x28 broken\n")
    with pytest.raises(DataError, match=re.escape(f"{bad}, line 2, column 1: not valid UTF-8")):
        catalog.load("text", path=bad, data_dir=datasets_dir)
    with pytest.raises(DataError, match=re.escape(f"{tmp_path / 'none.txt'}: no such file.")):
        catalog.load("word_boundaries", path=tmp_path / "none.txt", data_dir=datasets_dir)
