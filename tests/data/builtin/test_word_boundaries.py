"""word_boundaries: one label per character, words rebuild the line."""

from seqkeras.data import catalog
from seqkeras.data.builtin.word_boundaries import tag_line
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["word_boundaries"]


def rebuild(characters, labels):
    words, current = [], ""
    for char, label in zip(characters, labels):
        if label and current:
            words.append(current)
            current = ""
        current += char
    return " ".join(words + [current])


def test_tag_line():
    characters, labels = tag_line("  Return the value\t")
    assert characters == "Returnthevalue"
    assert "".join(map(str, labels)) == "10000010010000"


def test_size_labels_and_splits_follow_text(built):
    builder = built("word_boundaries")
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name) for name in ENTRY.sizes}
    assert {name: len(v) for name, v in splits.items()} == ENTRY.sizes
    for example in splits["validation"]:
        characters = example["characters"].decode()
        assert len(characters) == len(example["labels"]) and example["labels"][0] == 1
        assert rebuild(characters, example["labels"]) == " ".join(example["text"].decode().split())
    text = built("text")
    for name in ENTRY.sizes:
        documents = [e["text"].decode() for e in read_split(text, name)]
        lines = {line.strip() for doc in documents for line in doc.splitlines()}
        assert all(e["text"].decode() in lines for e in splits[name])
