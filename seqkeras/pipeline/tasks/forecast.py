"""forecast: the next values of a series from a window of past values."""

import dataclasses
import math
from typing import Dict
from typing import Optional
from typing import Tuple

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data.catalog import CATALOG
from seqkeras.data.splits import SPLITS
from seqkeras.export import export_forecaster
from seqkeras.export.portable import PORTABLE_FORMATS
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.models import build_many_to_one
from seqkeras.pipeline.config.export_formats import portable_formats
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import pooling_options
from seqkeras.pipeline.tasks.base import recurrent_options
from seqkeras.pipeline.tasks.examples import resolve_columns
from seqkeras.pipeline.tasks.forecast_series import read_series


def split_windows(values_by_split, window, horizon=1):
    """The series and `(x, y, first target index)` per split.

    `x[i]` holds the `window` values before index `t = targets[i]` and
    `y[i]` the `horizon` values `series[t : t + horizon]`. Every target of
    a window lies in its split, while its inputs may reach into the
    splits before: the splits are chronological, so the window that
    predicts the first value of the test split reads the end of the
    validation split, and no value a split is scored on is an input of an
    earlier forecast of that split.

    Args:
        values_by_split: The `train`, `validation` and `test` values, in
            time order, each following the one before.
        window: Input steps per forecast.
        horizon: Values predicted per forecast. Defaults to `1`.

    Returns:
        `(series, windows)`: the splits concatenated, and for each split
        `x` `(n, window, 1)` float32, `y` `(n, horizon)` and the first
        target index of each window `(n,)`.
    """
    series = np.concatenate([values_by_split[s] for s in SPLITS])
    result, start = {}, 0
    for split in SPLITS:
        stop = start + len(values_by_split[split])
        targets = np.arange(max(start, window), stop - horizon + 1)
        x = np.stack([series[t - window : t] for t in targets])[..., None]
        steps = targets[:, None] + np.arange(horizon)
        result[split] = (x.astype("float32"), series[steps], targets)
        start = stop
    return series, result


def persistence_forecasts(x: np.ndarray, horizon: int) -> np.ndarray:
    """The last observed value of each window, for every step ahead: `(n, horizon)`."""
    return np.repeat(x[:, -1, :1], horizon, axis=1)


def seasonal_naive_forecasts(
    series: np.ndarray, targets: np.ndarray, horizon: int, season: int
) -> Tuple[np.ndarray, np.ndarray]:
    """The value one season before each target, among the values already observed.

    A window whose last observed value is `series[o]` (`o = targets - 1`,
    the forecast origin) forecasts `series[o + k]` for `k = 1..horizon`.
    The seasonal-naive forecast of step `k` is the latest value at the same
    phase of the season that is observed at the origin:
    `series[o + k - season * ceil(k / season)]`, one season back for
    `k <= season`, two for `season < k <= 2 * season`, and so on; never a
    value after the origin.

    Args:
        series: The whole series, in time order.
        targets: The first target index of each window, `o + 1`.
        horizon: Steps ahead.
        season: Steps per season.

    Returns:
        `(forecasts, observed)`, both `(n, horizon)`: `observed` is `False`
        where the series starts too late to have that value (its forecast
        is then meaningless and left out of the baseline's scores).
    """
    steps = np.arange(1, horizon + 1)
    back = season * np.ceil(steps / season).astype(int)
    index = targets[:, None] - 1 + steps - back
    observed = index >= 0
    return series[np.where(observed, index, 0)], observed


def forecast_errors(forecast, actual, scale: float, keep=None) -> Tuple[float, float]:
    """`(MAE, RMSE)` over the entries of `keep` (all by default), times `scale`."""
    keep = np.ones(actual.shape, bool) if keep is None else keep
    if not keep.any():
        return None, None
    difference = (forecast[keep] - actual[keep]) * scale
    return float(np.mean(np.abs(difference))), float(np.sqrt(np.mean(difference**2)))


@dataclasses.dataclass
class ForecastSeries:
    """The standardised series and its windows, as evaluation and export read them."""

    mean: float
    std: float
    series: np.ndarray  # every split, standardised, in time order
    windows: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]  # x, y, first target index
    season: Optional[int]  # steps per season for the seasonal-naive baseline; None: none
    horizon: int  # values forecast at once


#: What `prepare` gives and `build`, `evaluate` and `export` read.
ForecastData = TaskData[ForecastSeries, None]


class ForecastTask(Task):
    """Forecast the next `forecast.horizon` values of a series (many-to-one).

    The series is a built-in one or a column of the user's files, split by
    time (`seqkeras/pipeline/tasks/forecast_series.py`); values are standardised with the
    training split's mean and standard deviation inside the model's export,
    and every metric is in the series' own units: MAE and RMSE over all
    steps ahead, MAE per step, and the same for two baselines, persistence
    (the last observed value) and seasonal naive (the value one season
    earlier, when a season is known).
    """

    portable_formats = tuple(PORTABLE_FORMATS)
    headline = "mae"

    def prepare(self, config, smoke, vocabularies=None) -> ForecastData:
        source, _ = resolve_columns(config, None, source_types=("numbers",), source_type="numbers")
        # The whole series even for --smoke: its windows reach across splits.
        values = read_series(config, source).values
        mean, std = float(values["train"].mean()), float(values["train"].std())
        if not (math.isfinite(mean) and math.isfinite(std)):
            # float32's sum or variance of values near its limit (1e38) overflows.
            train = values["train"].astype("float64")
            mean, std = float(train.mean()), float(train.std())
        if not std > 0:
            std = 1.0  # a constant training series: centre it only
        scaled = {s: (v - mean) / std for s, v in values.items()}
        horizon = config.forecast.horizon
        series, windows = split_windows(scaled, config.data.window, horizon)
        batch = config.data.batch_size
        entry = CATALOG.get(config.data.dataset)
        season = config.forecast.season or (entry.season if entry is not None else None)

        def batches(split, shuffle):
            x, y, _ = windows[split]
            if smoke:
                x, y = x[: 2 * batch], y[: 2 * batch]
            dataset = tf.data.Dataset.from_tensor_slices((x, y))
            if shuffle:
                dataset = dataset.shuffle(len(x), seed=config.seed)
            return dataset.batch(batch).cache().prefetch(-1)

        return TaskData(
            train=batches("train", True),
            validation=batches("validation", False),
            test=batches("test", False),
            train_examples=len(windows["train"][0]),
            batch_size=batch,
            test_set=ForecastSeries(
                mean=mean,
                std=std,
                series=series,
                windows=windows,
                season=season,
                horizon=horizon,
            ),
        )

    def build(self, config, data: ForecastData):
        model = config.model
        return build_many_to_one(
            config.forecast.horizon,
            input_dim=1,
            sequence_length=config.data.window,
            num_layers=model.layers,
            bidirectional=model.bidirectional,
            **recurrent_options(model),
            **pooling_options(model),
            output_activation=None,
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.MeanSquaredError(), [keras.metrics.MeanAbsoluteError(name="mae")]

    def export(self, model, data: ForecastData, config, path, strategy):
        export_forecaster(
            model,
            path,
            mean=data.test_set.mean,
            std=data.test_set.std,
            formats=portable_formats(config),
        )

    def evaluate(self, model, data: ForecastData, config, strategy):
        test_set = data.test_set
        x, actual, targets = test_set.windows["test"]
        series, season, horizon = test_set.series, test_set.season, test_set.horizon
        std, mean = test_set.std, test_set.mean
        predicted = model.predict(x, verbose=0)
        persistence = persistence_forecasts(x, horizon)
        mae, rmse = forecast_errors(predicted, actual, std)
        persistence_mae, persistence_rmse = forecast_errors(persistence, actual, std)
        metrics = {
            "mae": mae,
            "rmse": rmse,
            "persistence_mae": persistence_mae,
            "persistence_rmse": persistence_rmse,
            "season": season,
            "mae_vs_persistence": mae / persistence_mae if persistence_mae else None,
            "test_examples": int(len(actual)),
            "horizon": horizon,
            "mae_by_step": _by_step(predicted, actual, std),
            "persistence_mae_by_step": _by_step(persistence, actual, std),
        }
        if season is None:
            metrics["seasonal_naive_mae"] = metrics["seasonal_naive_rmse"] = None
            metrics["seasonal_naive"] = (
                "not computed: no season; set forecast.season to the series' period "
                "(12 for monthly values with a yearly cycle)."
            )
        else:
            seasonal, observed = seasonal_naive_forecasts(series, targets, horizon, season)
            seasonal_mae, seasonal_rmse = forecast_errors(seasonal, actual, std, observed)
            metrics["seasonal_naive_mae"] = seasonal_mae
            metrics["seasonal_naive_rmse"] = seasonal_rmse
            metrics["seasonal_naive_mae_by_step"] = _by_step(seasonal, actual, std, observed)
        rows = []
        for i in range(min(config.evaluate.samples, len(actual))):
            for k in range(horizon):
                row = {"step": int(targets[i] + k)}
                if horizon > 1:
                    row["ahead"] = k + 1
                row["actual"] = float(actual[i, k] * std + mean)
                row["forecast"] = float(predicted[i, k] * std + mean)
                row["persistence"] = float(persistence[i, k] * std + mean)
                rows.append(row)
        return Evaluation(self.headline, metrics, rows)


def _by_step(forecast, actual, scale, keep=None):
    """MAE of each step ahead (`None` where no value of that step was observed)."""
    keep = np.ones(actual.shape, bool) if keep is None else keep
    return [
        forecast_errors(forecast[:, k], actual[:, k], scale, keep[:, k])[0]
        for k in range(actual.shape[1])
    ]
