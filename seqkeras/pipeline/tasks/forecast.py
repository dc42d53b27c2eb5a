"""forecast: the next value of a series from a window of past values."""

import dataclasses
from typing import Dict
from typing import Tuple

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data.catalog import CATALOG
from seqkeras.errors import ConfigError
from seqkeras.export import export_forecaster
from seqkeras.models import build_many_to_one
from seqkeras.pipeline.examples import read_examples
from seqkeras.pipeline.examples import resolve_columns
from seqkeras.pipeline.tasks.base import SPLITS
from seqkeras.pipeline.tasks.base import Evaluation
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import recurrent_options


def split_windows(values_by_split, window):
    """(x, y, target index) per split; inputs may reach into earlier splits.

    The splits are chronological, so a window that predicts the first value
    of the test split reads the end of the validation split: no target value
    is ever an input of its own split's earlier predictions.
    """
    series = np.concatenate([values_by_split[s] for s in SPLITS])
    result, start = {}, 0
    for split in SPLITS:
        stop = start + len(values_by_split[split])
        targets = np.arange(max(start, window), stop)
        x = np.stack([series[t - window : t] for t in targets])[..., None]
        result[split] = (x.astype("float32"), series[targets][:, None], targets)
        start = stop
    return series, result


@dataclasses.dataclass
class ForecastSeries:
    """The standardised series and its windows, as evaluation and export read them."""

    mean: float
    std: float
    series: np.ndarray  # every split, standardised, in time order
    windows: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]  # x, y, target index
    season: int  # steps per season, for the seasonal-naive baseline


class ForecastTask(Task):
    headline = "mae"

    def prepare(self, config, smoke, vocabularies=None):
        source, _ = resolve_columns(config, None, source_types=("numbers",))
        entry = CATALOG.get(config.data.dataset)
        if entry is None or entry.season is None:
            raise ConfigError(
                f"data.dataset: got {config.data.dataset!r}; the forecast task runs on the "
                f"built-in series ({', '.join(n for n, e in CATALOG.items() if e.season)}) "
                f"for now."
            )
        # The whole series even for --smoke: its windows reach across splits.
        examples = read_examples(config, source, None, smoke=False)
        values = {
            s: np.concatenate([v.reshape(-1) for v in e.sources]).astype("float32")
            for s, e in examples.items()
        }
        mean, std = float(values["train"].mean()), float(values["train"].std())
        scaled = {s: (v - mean) / std for s, v in values.items()}
        series, windows = split_windows(scaled, config.data.window)
        batch = config.data.batch_size

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
                season=entry.season,
            ),
        )

    def build(self, config, data):
        model = config.model
        return build_many_to_one(
            1,
            input_dim=1,
            sequence_length=config.data.window,
            num_layers=model.layers,
            bidirectional=model.bidirectional,
            **recurrent_options(model),
            pooling=model.pooling,
            output_activation=None,
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.MeanSquaredError(), [keras.metrics.MeanAbsoluteError(name="mae")]

    def export(self, model, data, config, path, strategy):
        export_forecaster(model, path, mean=data.test_set.mean, std=data.test_set.std)

    def evaluate(self, model, data, config, strategy):
        test_set = data.test_set
        x, y, targets = test_set.windows["test"]
        series, season = test_set.series, test_set.season
        std, mean = test_set.std, test_set.mean
        predicted = model.predict(x, verbose=0)[:, 0]
        actual = y[:, 0]
        persistence = x[:, -1, 0]
        seasonal = series[targets - season]
        has_season = targets - season >= 0

        def errors(forecast, keep=slice(None)):
            difference = (forecast[keep] - actual[keep]) * std
            return float(np.mean(np.abs(difference))), float(np.sqrt(np.mean(difference**2)))

        mae, rmse = errors(predicted)
        persistence_mae, persistence_rmse = errors(persistence)
        seasonal_mae, seasonal_rmse = errors(seasonal, has_season)
        metrics = {
            "headline": self.headline,
            "mae": mae,
            "rmse": rmse,
            "persistence_mae": persistence_mae,
            "persistence_rmse": persistence_rmse,
            "seasonal_naive_mae": seasonal_mae,
            "seasonal_naive_rmse": seasonal_rmse,
            "season": season,
            "mae_vs_persistence": mae / persistence_mae,
            "test_examples": int(len(actual)),
        }
        rows = [
            {
                "step": int(targets[i]),
                "actual": float(actual[i] * std + mean),
                "forecast": float(predicted[i] * std + mean),
                "persistence": float(persistence[i] * std + mean),
            }
            for i in range(min(config.evaluate.samples, len(actual)))
        ]
        return Evaluation(metrics, rows)
