"""Forecasting a series from your own files: the config docs/your_data.md shows.

The end-to-end tests run it with `--smoke` through the real command on a CSV
the test writes (a seasonal series with noise, rows shuffled so that only the
date column orders them), then load the export in a fresh process on raw
values. The unit tests check the time split and the baselines against
NumPy references written out by hand.
"""

import datetime
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.config.schema import json_schema
from seqkeras.pipeline.tasks.forecast import persistence_forecasts
from seqkeras.pipeline.tasks.forecast import seasonal_naive_forecasts
from seqkeras.pipeline.tasks.forecast import split_windows
from seqkeras.pipeline.tasks.forecast_series import read_series
from seqkeras.pipeline.tasks.forecast_series import split_by_time
from tests.helpers import run_folders
from tests.helpers import run_seqkeras

slow = pytest.mark.slow

# The config docs/your_data.md shows, as written.
CONFIG = """\
# Forecasting a series from a CSV (many-to-one)
task: forecast
data:
  dataset: files
  files: {train: data/temperature.csv}       # date,value ; split by time: last 10% test, 10% before it validation
  source: {column: value, time: date}        # time is optional; rows are ordered by it when given
  window: 24
forecast: {horizon: 1, season: 12}          # steps ahead; the seasonal-naive baseline's period
"""
TINY = "model: {units: 4}\ntrain: {epochs: 1}\n"


def monthly_series(count=240, seed=0):
    """`(dates, values)` in time order: a yearly cycle of 12 months plus noise."""
    rng = np.random.default_rng(seed)
    dates = [datetime.date(2000 + m // 12, m % 12 + 1, 1).isoformat() for m in range(count)]
    months = np.arange(count)
    values = 15 + 8 * np.sin(2 * np.pi * months / 12) + 0.02 * months
    return dates, np.round(values + rng.normal(scale=0.5, size=count), 3)


def write_series(path, dates, values, *, shuffle_seed=None, header="date,value"):
    rows = [f"{d},{v}" for d, v in zip(dates, values)]
    if shuffle_seed is not None:
        np.random.default_rng(shuffle_seed).shuffle(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


def run_dir_of(root, name="run"):
    [run_dir] = run_folders(root / "runs" / name)
    return run_dir


def serve_in_fresh_process(export_dir, windows):
    """The export's outputs for raw `windows` `(batch, steps)`, from a new process."""
    script = (
        "import json, sys\n"
        "import tensorflow as tf\n"
        "served = tf.saved_model.load(sys.argv[1]).signatures['serving_default']\n"
        "windows = tf.constant(json.loads(sys.argv[2]), tf.float32)[..., None]\n"
        "print(json.dumps(served(inputs=windows)['outputs'].numpy().tolist()))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", script, str(export_dir), json.dumps(np.asarray(windows).tolist())],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return np.array(json.loads(result.stdout.strip().splitlines()[-1]))


def errors_by_hand(forecasts, actual):
    """MAE per step, looping like a spreadsheet would."""
    return [
        sum(abs(f[k] - a[k]) for f, a in zip(forecasts, actual)) / len(actual)
        for k in range(len(actual[0]))
    ]


@slow
def test_the_documented_config_runs_on_shuffled_dated_rows_and_serves_raw_values(tmp_path):
    dates, values = monthly_series()
    write_series(tmp_path / "data" / "temperature.csv", dates, values, shuffle_seed=1)
    (tmp_path / "pipeline.yaml").write_text(CONFIG + TINY)
    result = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = run_dir_of(tmp_path)
    metrics = json.loads((run_dir / "metrics.json").read_text())

    # 240 months: 192 train, 24 validation, 24 test, in date order.
    assert metrics["test_examples"] == 24
    assert metrics["horizon"] == 1 and metrics["season"] == 12
    test_origins = np.arange(216, 240)
    persistence = values[test_origins - 1]
    seasonal = values[test_origins - 12]
    actual = values[test_origins]
    assert metrics["persistence_mae"] == pytest.approx(np.mean(np.abs(persistence - actual)), 1e-4)
    assert metrics["seasonal_naive_mae"] == pytest.approx(np.mean(np.abs(seasonal - actual)), 1e-4)
    assert metrics["mae_by_step"] == [pytest.approx(metrics["mae"])]

    rows = [line.split("\t") for line in (run_dir / "predictions.tsv").read_text().splitlines()]
    assert rows[0] == ["step", "actual", "forecast", "persistence"]
    first = dict(zip(rows[0], map(float, rows[1])))
    assert first["step"] == 216 and first["actual"] == pytest.approx(values[216], 1e-5)

    # The export takes raw values and gives forecasts in the series' units.
    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["horizon"] == 1 and info["window"] == 24
    assert info["mean"] == pytest.approx(values[:192].mean(), 1e-5)
    assert info["std"] == pytest.approx(values[:192].std(), 1e-4)
    windows = np.stack([values[192:216], values[193:217]])
    served = serve_in_fresh_process(run_dir / "export", windows)
    assert served.shape == (2, 1)
    assert served[0, 0] == pytest.approx(first["forecast"], abs=1e-3)
    second = dict(zip(rows[0], map(float, rows[2])))
    assert served[1, 0] == pytest.approx(second["forecast"], abs=1e-3)

    # config.yaml records the file the run read, as an absolute path.
    recorded = (run_dir / "config.yaml").read_text()
    assert str((tmp_path / "data" / "temperature.csv").resolve()) in recorded


@slow
def test_horizon_three_from_a_pipeline_in_a_subfolder_scores_every_step(tmp_path):
    dates, values = monthly_series(count=200, seed=3)
    # No time column: the file's order is the time order.
    write_series(tmp_path / "examples" / "data" / "series.csv", dates, values, header="month,y")
    (tmp_path / "examples" / "forecast.yaml").write_text(
        "task: forecast\ndata:\n  dataset: files\n  files: {train: data/series.csv}\n"
        "  source: {column: y}\n  window: 12\nforecast: {horizon: 3, season: 2}\n" + TINY
    )
    # Run from the root: data/series.csv is found beside the pipeline file.
    result = run_seqkeras(
        "run", "examples/forecast.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = run_dir_of(tmp_path)
    metrics = json.loads((run_dir / "metrics.json").read_text())

    # 200 values: 160 train, 20 validation, 20 test; 18 test windows of 3 steps.
    origins = np.arange(180, 198)  # index of each window's first target
    actual = [values[t : t + 3] for t in origins]
    persistence = [[values[t - 1]] * 3 for t in origins]
    # Season 2: step 1 and 2 look one season back, step 3 two seasons back.
    seasonal = [[values[t - 2], values[t - 1], values[t - 2]] for t in origins]
    assert metrics["horizon"] == 3 and metrics["test_examples"] == 18
    assert len(metrics["mae_by_step"]) == 3
    assert metrics["mae"] == pytest.approx(np.mean(metrics["mae_by_step"]), 1e-5)
    assert metrics["persistence_mae_by_step"] == pytest.approx(
        errors_by_hand(persistence, actual), 1e-4
    )
    assert metrics["seasonal_naive_mae_by_step"] == pytest.approx(
        errors_by_hand(seasonal, actual), 1e-4
    )
    assert metrics["persistence_mae"] == pytest.approx(
        np.mean(errors_by_hand(persistence, actual)), 1e-4
    )
    header = (run_dir / "predictions.tsv").read_text().splitlines()[0].split("\t")
    assert header == ["step", "ahead", "actual", "forecast", "persistence"]

    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["horizon"] == 3
    served = serve_in_fresh_process(run_dir / "export", [values[168:180]])
    assert served.shape == (1, 3) and np.all(np.isfinite(served))
    # Outputs are in the series' units (around 15), not standardised ones.
    assert abs(served.mean() - values.mean()) < 4 * values.std()


def test_a_file_without_a_season_reports_no_seasonal_baseline(tmp_path):
    """metrics say the seasonal baseline is off, rather than failing."""
    from seqkeras.pipeline.tasks.forecast import ForecastTask

    dates, values = monthly_series(count=60)
    write_series(tmp_path / "s.csv", dates, values)
    config = config_for(tmp_path, "source: {column: value, time: date}\n  window: 6")
    config.model.units = 4
    config.train.epochs = 1
    task = ForecastTask()
    data = task.prepare(config, smoke=True)
    model = task.build(config, data)
    model.compile(loss="mse")
    metrics = task.evaluate(model, data, config, None).metrics
    assert metrics["season"] is None
    assert metrics["seasonal_naive_mae"] is None
    assert "forecast.season" in metrics["seasonal_naive"]
    assert math.isfinite(metrics["persistence_mae"])


# Unit tests: the time split and the baselines.


def config_for(tmp_path, data_lines, extra=""):
    text = "task: forecast\ndata:\n  dataset: files\n  files: {train: s.csv}\n  " + data_lines
    (tmp_path / "p.yaml").write_text(text + "\n" + extra)
    return load_config(tmp_path / "p.yaml")


def test_split_by_time_takes_the_last_tenth_as_test_and_the_tenth_before_as_validation():
    splits = split_by_time(np.arange(97.0), ["validation", "test"])
    # 97 * 0.1 = 9.7 each: the largest remainders round them up, as the built-ins do.
    assert [len(splits[s]) for s in ("train", "validation", "test")] == [77, 10, 10]
    assert np.array_equal(
        np.concatenate([splits[s] for s in ("train", "validation", "test")]), np.arange(97.0)
    )
    only_validation = split_by_time(np.arange(50.0), ["validation"])
    assert np.array_equal(only_validation["validation"], np.arange(45.0, 50.0))


def test_rows_are_ordered_by_their_time_column(tmp_path):
    dates, values = monthly_series(count=50)
    write_series(tmp_path / "s.csv", dates, values, shuffle_seed=0)
    config = config_for(tmp_path, "source: {column: value, time: date}\n  window: 3")
    series = read_series(config, _source(config))
    assert series.counts == {"train": 40, "validation": 5, "test": 5}
    joined = np.concatenate([series.values[s] for s in ("train", "validation", "test")])
    np.testing.assert_allclose(joined, values, rtol=1e-6)


def test_numeric_times_order_the_rows_too(tmp_path):
    (tmp_path / "s.csv").write_text("t,v\n" + "".join(f"{30 - i},{i}\n" for i in range(30)))
    config = config_for(tmp_path, "source: {column: v, time: t}\n  window: 2")
    series = read_series(config, _source(config))
    np.testing.assert_array_equal(series.values["train"][:3], [29.0, 28.0, 27.0])


def test_a_json_lines_series_orders_datetimes_with_time_zones(tmp_path):
    rows = [
        {"at": f"2020-01-{d:02d}T{h:02d}:00:00{zone}", "v": d * 100 + h}
        for d in range(1, 11)
        for h, zone in ((0, "Z"), (12, "+01:00"))
    ]
    rows.reverse()
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "p.yaml").write_text(
        "task: forecast\ndata:\n  dataset: files\n  files: {train: s.jsonl}\n"
        "  source: {column: v, time: at}\n  window: 2\n"
    )
    config = load_config(tmp_path / "p.yaml")
    series = read_series(config, _source(config))
    joined = np.concatenate([series.values[s] for s in ("train", "validation", "test")])
    # 12:00+01:00 is 11:00 UTC, after midnight UTC of the same day.
    np.testing.assert_array_equal(joined, [d * 100 + h for d in range(1, 11) for h in (0, 12)])


def test_validation_and_test_files_must_follow_the_training_file(tmp_path):
    dates, values = monthly_series(count=60)
    write_series(tmp_path / "s.csv", dates[:40], values[:40])
    write_series(tmp_path / "v.csv", dates[30:50], values[30:50])
    write_series(tmp_path / "t.csv", dates[50:], values[50:])
    config = config_for(tmp_path, "source: {column: value, time: date}\n  window: 3")
    config.data.files.validation = str(tmp_path / "v.csv")
    config.data.files.test = str(tmp_path / "t.csv")
    with pytest.raises(
        DataError,
        match=r"v.csv, line 2: 'date' is '2002-07-01', not after the "
        r"end of the train series \(.*s.csv, line 41: '2003-04-01'\)",
    ):
        read_series(config, _source(config))
    write_series(tmp_path / "v.csv", dates[40:50], values[40:50])
    series = read_series(config, _source(config))
    assert series.counts == {"train": 40, "validation": 10, "test": 10}


def test_a_validation_file_without_a_test_file_is_refused(tmp_path):
    dates, values = monthly_series(count=40)
    write_series(tmp_path / "s.csv", dates, values)
    config = config_for(tmp_path, "source: {column: value}\n  window: 3")
    config.data.files.validation = str(tmp_path / "s.csv")
    with pytest.raises(ConfigError, match=r"data.files.test: required when data.files.validation"):
        read_series(config, _source(config))


def test_two_rows_at_one_time_are_refused(tmp_path):
    (tmp_path / "s.csv").write_text("date,value\n2020-01-01,1\n2020-02-01,2\n2020-01-01,3\n")
    config = config_for(tmp_path, "source: {column: value, time: date}\n  window: 1")
    with pytest.raises(
        DataError,
        match=r"s.csv, line 4: 'date' is '2020-01-01', the same time "
        r"as line 2; expected one row per time",
    ):
        read_series(config, _source(config))


def test_an_empty_value_names_the_file_and_line(tmp_path):
    (tmp_path / "s.csv").write_text("date,value\n2020-01-01,1\n2020-02-01,\n")
    config = config_for(tmp_path, "source: {column: value, time: date}\n  window: 1")
    with pytest.raises(DataError, match=r"s.csv, line 3: 'value' is empty; expected a number"):
        read_series(config, _source(config))


def test_split_windows_keeps_every_target_in_its_split():
    values = {
        "train": np.arange(10.0),
        "validation": np.arange(10.0, 13.0),
        "test": np.arange(13.0, 17.0),
    }
    series, windows = split_windows(values, window=4, horizon=2)
    x, y, targets = windows["test"]
    # Test targets 13..16: windows start at 13 and 14 (the last needs 15 and 16).
    np.testing.assert_array_equal(targets, [13, 14, 15])
    np.testing.assert_array_equal(y, [[13, 14], [14, 15], [15, 16]])
    np.testing.assert_array_equal(x[0, :, 0], [9, 10, 11, 12])
    assert windows["train"][0].shape == (5, 4, 1)  # targets 4..8


def test_persistence_repeats_the_last_observed_value():
    x = np.array([[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]]])
    np.testing.assert_array_equal(persistence_forecasts(x, 3), [[3, 3, 3], [6, 6, 6]])


def test_seasonal_naive_reads_only_values_observed_before_the_origin():
    series = np.arange(100.0) ** 1.5
    targets = np.array([3, 10, 50, 97])
    horizon, season = 7, 3
    forecasts, observed = seasonal_naive_forecasts(series, targets, horizon, season)
    for i, t in enumerate(targets):
        origin = t - 1  # the last observed value
        for k in range(1, horizon + 1):
            back = season
            while origin + k - back > origin:  # step back whole seasons until observed
                back += season
            index = origin + k - back
            assert index <= origin
            assert observed[i, k - 1] == (index >= 0)
            if index >= 0:
                assert forecasts[i, k - 1] == series[index]
    # With horizon 1 it is the value one season before the target.
    one, _ = seasonal_naive_forecasts(series, targets, 1, season)
    np.testing.assert_array_equal(one[:, 0], series[targets - season])


def test_forecast_section_is_validated_and_in_the_json_schema():
    config = from_dict(PipelineConfig, {"forecast": {"horizon": 3}}, source="p.yaml")
    assert config.forecast.horizon == 3 and config.forecast.season is None
    with pytest.raises(
        ConfigError, match=r"p.yaml: forecast.horizon: got 0; expected a value (>= 1|between 1 and)"
    ):
        from_dict(PipelineConfig, {"forecast": {"horizon": 0}}, source="p.yaml")
    with pytest.raises(ConfigError, match=r"forecast.season: got 'year'; expected an integer"):
        from_dict(PipelineConfig, {"forecast": {"season": "year"}}, source="p.yaml")
    with pytest.raises(ConfigError, match=r"forecast.horizn: unknown key 'horizn'; did you mean"):
        from_dict(PipelineConfig, {"forecast": {"horizn": 2}}, source="p.yaml")
    schema = json_schema()["properties"]["forecast"]["properties"]
    horizon = schema["horizon"]
    assert (horizon["type"], horizon["default"], horizon["minimum"]) == ("integer", 1, 1)
    assert schema["season"]["type"] == ["integer", "null"]
    assert json_schema()["properties"]["data"]["properties"]["source"]["properties"]["time"]


def test_data_files_are_found_beside_the_pipeline_then_in_the_working_directory(
    tmp_path, monkeypatch
):
    (tmp_path / "examples" / "data").mkdir(parents=True)
    (tmp_path / "examples" / "data" / "a.csv").write_text("x\n")
    (tmp_path / "b.csv").write_text("x\n")
    (tmp_path / "examples" / "p.yaml").write_text(
        "data:\n  dataset: files\n  files: {train: data/a.csv, test: b.csv, validation: nope.csv}\n"
    )
    monkeypatch.chdir(tmp_path)
    files = load_config("examples/p.yaml").data.files
    assert files.train == str(tmp_path.resolve() / "examples" / "data" / "a.csv")
    assert files.test == str(tmp_path.resolve() / "b.csv")
    assert files.validation == "nope.csv"  # the reader's "no such file" echoes it


def _source(config):
    from seqkeras.pipeline.tasks.examples import resolve_columns

    source, _ = resolve_columns(config, None, source_types=("numbers",), source_type="numbers")
    return source


BAD_CASES = [
    (
        "date,value\n"
        + "".join(f"2020-{m:02d}-01,{m}\n" for m in range(1, 8))
        + "2020-08-01,abc\n",
        r"temperature.csv, line 9: 'value' is 'abc'; expected a finite number",
    ),
    (
        "date,value\n2020-01-01,1\n2020-13-01,2\n",
        r"temperature.csv, line 3: 'date' is '2020-13-01'; expected an ISO date or datetime",
    ),
    (
        "date,value\n" + "".join(f"{2000 + i}-01-01,{i}\n" for i in range(30)),
        r"temperature.csv: the series has 30 value\(s\), split by time into 24 training, 3 "
        r"validation and 3 test value\(s\); data.window 24 and forecast.horizon 1 need at "
        r"least 25 training value\(s\)",
    ),
    (
        "day,temp\n2020-01-01,1\n",
        r"temperature.csv, line 1: no column named 'value'; the header has: 'day', 'temp'",
    ),
]


@slow
@pytest.mark.parametrize(
    "text, message", BAD_CASES, ids=["not-a-number", "bad-date", "too-short", "missing-column"]
)
def test_bad_series_exits_2_naming_file_and_line_and_leaves_no_run(tmp_path, text, message):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "temperature.csv").write_text(text)
    (tmp_path / "pipeline.yaml").write_text(CONFIG + TINY)
    result = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-3000:]
    assert re.search(message, result.stderr), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()


def test_values_near_float32_s_limit_scale_to_finite_inputs_and_export_their_check(tmp_path):
    # float32's variance of 1e38 overflowed: the scaled series was NaN, and the
    # export check reported "[[nan]] instead of [[nan]]".
    from seqkeras.pipeline.tasks.forecast import ForecastTask

    dates, values = monthly_series(count=60)
    values = values.astype(object)
    values[20] = 1e38  # finite in float32
    write_series(tmp_path / "s.csv", dates, values)
    config = config_for(tmp_path, "source: {column: value, time: date}\n  window: 6")
    config.model.units = 4
    task = ForecastTask()
    data = task.prepare(config, smoke=True)
    inputs, _ = next(iter(data.train))
    assert np.all(np.isfinite(inputs.numpy()))
    assert math.isfinite(data.test_set.std) and math.isfinite(data.test_set.mean)
    model = task.build(config, data)
    model.compile(loss="mse")
    task.export(model, data, config, tmp_path / "export", None)  # its check passes
    assert (tmp_path / "export" / "saved_model.pb").is_file()
