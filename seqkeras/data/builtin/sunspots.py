"""`sunspots`: yearly sunspot numbers since 1700 (many-to-one forecasting).

Source: `statsmodels.datasets.sunspots` (shipped inside statsmodels), yearly
sunspot activity 1700-2008 as published by NOAA's National Geophysical Data
Center (ngdc.noaa.gov/stp/solar). Licence: public domain (statsmodels'
dataset notes).

Size: 309 yearly values, split chronologically (the seed does not matter):
train 247 (1700-1946), validation 31 (1947-1977), test 31 (1978-2008).
Cut forecasting windows inside each split with
`seqkeras.data.forecast_windows`, so test windows never overlap training.

Fields:
    year: int32.
    value: float32, the yearly mean sunspot number.
"""

import numpy as np
import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.splits import split_indices


class Sunspots(BuiltinBuilder):
    name = "seqkeras_sunspots"
    DESCRIPTION = __doc__
    HOMEPAGE = "http://www.ngdc.noaa.gov/stp/solar/solarda3.html"
    LICENSE = "Public domain"

    def features(self):
        return tfds.features.FeaturesDict({"year": np.int32, "value": np.float32})

    def make_splits(self, seed, path):
        from statsmodels.datasets import sunspots

        frame = sunspots.load_pandas().data
        years = frame["YEAR"].to_numpy().astype(np.int32)
        values = frame["SUNACTIVITY"].to_numpy().astype(np.float32)
        return {
            name: [{"year": years[i], "value": values[i]} for i in indices]
            for name, indices in split_indices(len(years), shuffle=False).items()
        }
