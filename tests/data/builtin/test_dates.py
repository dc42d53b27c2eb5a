"""dates: CLDR renderings in many locales -> ISO; dates never cross splits."""

import collections
import datetime

from seqkeras.data import catalog
from seqkeras.data.builtin.dates import LOCALES
from seqkeras.data.builtin.dates import render
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["dates"]


def test_size_fields_and_renderings(built):
    builder = built("dates")
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name, batched=True) for name in ENTRY.sizes}
    assert {name: len(v) for name, v in splits.items()} == ENTRY.sizes
    train = splits["train"]
    assert {e["locale"].decode() for e in train} == set(LOCALES)
    for example in train[:300]:
        date = datetime.date.fromisoformat(example["target"].decode())
        assert datetime.date(1900, 1, 1) <= date <= datetime.date(2099, 12, 31)
        assert example["source"].decode() == render(
            date, example["locale"].decode(), example["format"].decode()
        )
    per_date = collections.Counter(e["target"] for e in train)
    assert set(per_date.values()) == {3}


def test_no_date_or_source_in_two_splits(built):
    builder = built("dates")
    splits = {name: read_split(builder, name, batched=True) for name in ENTRY.sizes}
    for field in ("target", "source"):
        values = {name: {e[field] for e in v} for name, v in splits.items()}
        assert sum(len(v) for v in values.values()) == len(set.union(*values.values()))
    assert len({e["source"] for e in splits["train"]}) == 24000
