"""`co2`: weekly atmospheric CO2 at Mauna Loa (many-to-one forecasting).

Source: `statsmodels.datasets.co2` (shipped inside statsmodels): weekly CO2
in ppm from flask air samples at Mauna Loa Observatory, Hawaii, 1958-03-29
to 2001-12-29 (Keeling, C.D. and Whorf, T.P. 2004, Scripps Institution of
Oceanography, via CDIAC). Licence: public domain (statsmodels' dataset
notes).

The 59 missing weeks are filled by linear interpolation in time; the
`interpolated` field marks them.

Size: 2,284 weekly values, split chronologically (the seed does not matter):
train 1,827, validation 229, test 228. Cut forecasting windows inside each
split with `seqkeras.data.forecast_windows`.

Fields:
    date: text, ISO week-end date "YYYY-MM-DD".
    value: float32, CO2 in ppm.
    interpolated: bool, whether the value was missing and filled.
"""

import numpy as np
import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.splits import split_indices


def co2_series():
    """Dates (ISO strings), interpolated values and the missing-value mask."""
    from statsmodels.datasets import co2

    series = co2.load_pandas().data["co2"]
    missing = series.isna().to_numpy()
    filled = series.interpolate(method="time").to_numpy().astype(np.float32)
    dates = [stamp.strftime("%Y-%m-%d") for stamp in series.index]
    return dates, filled, missing


class Co2(BuiltinBuilder):
    name = "seqkeras_co2"
    DESCRIPTION = __doc__
    HOMEPAGE = "https://scrippsco2.ucsd.edu/"
    LICENSE = "Public domain"
    CITATION = (
        "Keeling, C.D. and T.P. Whorf. 2004. Atmospheric CO2 concentrations derived "
        "from flask air samples at sites in the SIO network. In Trends: A Compendium "
        "of Data on Global Change. CDIAC, Oak Ridge National Laboratory."
    )

    def features(self):
        return tfds.features.FeaturesDict(
            {"date": tfds.features.Text(), "value": np.float32, "interpolated": np.bool_}
        )

    def make_splits(self, seed, path):
        dates, values, missing = co2_series()
        return {
            name: [
                {"date": dates[i], "value": values[i], "interpolated": bool(missing[i])}
                for i in indices
            ]
            for name, indices in split_indices(len(dates), shuffle=False).items()
        }
