"""sunspots: 309 years in time order, split chronologically, windows per split."""

import numpy as np

from seqkeras.data import catalog
from seqkeras.data import forecast_windows
from tests.data.builtin.common import check_documented
from tests.data.builtin.common import read_split

ENTRY = catalog.CATALOG["sunspots"]


def test_size_order_and_chronological_splits(built):
    from statsmodels.datasets import sunspots

    builder = built("sunspots")
    check_documented(builder, ENTRY)
    splits = {name: read_split(builder, name) for name in ENTRY.sizes}
    years = [int(e["year"]) for name in ("train", "validation", "test") for e in splits[name]]
    assert years == list(range(1700, 2009))
    assert [int(splits[n][0]["year"]) for n in ("train", "validation", "test")] == [
        1700,
        1947,
        1978,
    ]
    values = np.array([e["value"] for n in ("train", "validation", "test") for e in splits[n]])
    assert np.allclose(values, sunspots.load_pandas().data["SUNACTIVITY"].to_numpy())
    x, y = forecast_windows([e["value"] for e in splits["train"]], 20)
    assert x.shape == (227, 20, 1) and y.shape == (227, 1)


def test_seed_does_not_matter(built):
    assert built("sunspots", seed=5).data_path == built("sunspots", seed=0).data_path
