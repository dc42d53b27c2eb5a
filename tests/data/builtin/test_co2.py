"""co2: weekly series, gaps filled by interpolation and marked."""

import numpy as np

from seqkeras.data import catalog
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["co2"]


def test_size_gaps_filled_and_chronological(built):
    builder = built("co2")
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name) for name in ENTRY.sizes}
    series = [e for name in ("train", "validation", "test") for e in splits[name]]
    dates = [e["date"].decode() for e in series]
    assert dates == sorted(dates) and dates[0] == "1958-03-29" and dates[-1] == "2001-12-29"
    values = np.array([e["value"] for e in series])
    filled = np.array([bool(e["interpolated"]) for e in series])
    assert np.isfinite(values).all() and filled.sum() == 59
    for i in np.flatnonzero(filled):
        left = i - 1
        while filled[left]:
            left -= 1
        right = i + 1
        while filled[right]:
            right += 1
        assert (
            min(values[left], values[right]) - 1e-3
            <= values[i]
            <= max(values[left], values[right]) + 1e-3
        )
