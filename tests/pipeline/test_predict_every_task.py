"""`seqkeras predict` on exports that take float tensors, through the real command.

Each task kind that reads numbers (classify on `numbers`, forecast, caption
on feature grids) on the shipped pipeline's smoke run, shared with
`tests/pipeline/test_run.py`. The command's answers for `.npy`, `.npz`,
JSON, JSON Lines and CSV files (a forecaster: a series' recent values) must
be the export's own answers on the same raw arrays, one line per example in
the order given; a wrong shape stops naming the file and the shape expected.
`seqkeras_export.json` describes the input. The three tests name their run
in the three ways `predict` takes: the run's name, runs/<name>, its folder.
"""

import json

import numpy as np
import pytest

from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.commands.prediction import predict_run
from tests.helpers import run_seqkeras

pytestmark = pytest.mark.slow


def served(run_dir, arrays) -> list:
    """The export's `outputs` for raw `arrays`, as `seqkeras predict` prints them."""
    import tensorflow as tf

    signature = tf.saved_model.load(str(run_dir / "export")).signatures["serving_default"]
    outputs = signature(inputs=tf.constant(np.asarray(arrays, "float32")))["outputs"].numpy()
    if outputs.dtype.kind == "f":
        return [" ".join(f"{v:.6g}" for v in row.reshape(-1)) for row in outputs]
    return [row.decode("utf-8") for row in outputs]


def predict(run_dir, *inputs, cwd):
    result = run_seqkeras("predict", str(run_dir), *inputs, cwd=cwd)
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    return result, lines


def info_of(run_dir) -> dict:
    return json.loads((run_dir / "export" / "seqkeras_export.json").read_text())


def test_classify_on_digit_pixels_reads_npy_npz_json_jsonl_and_csv(smoke_runs, tmp_path):
    from sklearn.datasets import load_digits

    run = smoke_runs("digits_rows")
    run_dir = run.run_dir
    described = info_of(run_dir)["input"]
    assert described["dtype"] == "float32" and described["shape"] == [None, 8, 8]
    assert described["range"] == [0, 16] and "pixel counts" in described["units"]

    # predictions.tsv: the prediction, its probability, and the errors first.
    rows = [line.split("\t") for line in (run_dir / "predictions.tsv").read_text().splitlines()]
    assert rows[0] == ["index", "label", "prediction", "score", "correct"]
    marks = [row[4] for row in rows[1:]]
    assert marks == sorted(marks, key=lambda mark: mark != "NO") and "NO" in marks
    assert all((row[1] == row[2]) == (row[4] == "yes") for row in rows[1:])
    assert all(0.0 < float(row[3]) <= 1.0 for row in rows[1:])

    images = load_digits().images[:6]  # raw pixel counts 0-16, as scikit-learn gives them
    np.save(tmp_path / "three.npy", images[:3])
    np.savez(tmp_path / "two.npz", first=images[3], rest=images[4:6])
    (tmp_path / "one.json").write_text(json.dumps(images[0].tolist()))
    (tmp_path / "two.jsonl").write_text("\n".join(json.dumps(i.tolist()) for i in images[1:3]))
    rows = [",".join(str(int(v)) for v in image.reshape(-1)) for image in images[:2]]
    (tmp_path / "two.csv").write_text("\n".join(rows) + "\n")
    files = ["three.npy", "two.npz", "one.json", "two.jsonl", "two.csv"]
    by_name = ["digits_rows", "--output-dir", str(run.output_dir)]  # runs/digits_rows/latest
    result, lines = predict(*by_name, *files, cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-3000:]
    expected = served(run_dir, images[[0, 1, 2, 3, 4, 5, 0, 1, 2, 0, 1]])
    assert [line[1] for line in lines] == expected
    assert [line[0] for line in lines] == [
        "three.npy[0]",
        "three.npy[1]",
        "three.npy[2]",
        "two.npz[first]",
        "two.npz[rest][0]",
        "two.npz[rest][1]",
        "one.json",
        "two.jsonl[0]",
        "two.jsonl[1]",
        "two.csv[0]",
        "two.csv[1]",
    ]

    np.save(tmp_path / "wrong.npy", np.zeros((2, 7, 8)))
    with pytest.raises(DataError, match=r"wrong.npy: got an array of shape \[2, 7, 8\]") as raised:
        predict_run(run_dir, [str(tmp_path / "wrong.npy")])
    assert "examples of shape (8, 8)" in str(raised.value)
    with pytest.raises(DataError, match="a digit: no such file; give .npy, .npz"):
        predict_run(run_dir, ["a digit"])
    # `-` (standard input) is for text exports: it is refused before stdin is read.
    with pytest.raises(ConfigError, match=r"this classify export takes files \(or numbers\)"):
        predict_run(run_dir, ["-"])


def test_forecast_reads_the_last_window_of_a_series(smoke_runs, tmp_path):
    run_dir = smoke_runs("sunspots").run_dir
    info = info_of(run_dir)
    window = info["window"]
    assert info["input"]["shape"] == [None, window, 1] and info["input"]["window"] == window
    assert "raw values" in info["input"]["units"]

    series = np.arange(window + 5, dtype="float32") * 7.5  # raw units, oldest first
    (tmp_path / "recent.txt").write_text("\n".join(str(v) for v in series) + "\n")
    (tmp_path / "recent.csv").write_text("sunspots\n" + "\n".join(str(v) for v in series[3:]))
    np.save(tmp_path / "windows.npy", np.stack([series[:window], series[1 : window + 1]]))
    inline = ",".join(str(v) for v in series[-window:])
    result, lines = predict(  # runs/sunspots: its latest run
        run_dir.parent, "recent.txt", "recent.csv", "windows.npy", inline, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr[-3000:]
    last = series[-window:]
    windows = [last, last, series[:window], series[1 : window + 1], last]
    assert [line[1] for line in lines] == served(run_dir, np.stack(windows)[..., None])
    assert [line[0] for line in lines][:4] == [
        "recent.txt",
        "recent.csv",
        "windows.npy[0]",
        "windows.npy[1]",
    ]

    short = tmp_path / "short.txt"
    short.write_text("\n".join(str(v) for v in series[:3]))
    with pytest.raises(DataError, match=f"short.txt: 3 values; .* at least {window}"):
        predict_run(run_dir, [str(short)])


def test_caption_on_feature_grids_reads_arrays_and_decoding_options(smoke_runs, tmp_path):
    run_dir = smoke_runs("digit_captions").run_dir
    described = info_of(run_dir)["input"]
    assert described["shape"] == [None, 1, 4, 64] and described["range"] == [0, 1]

    grids = np.random.default_rng(0).uniform(0, 1, size=(3, 1, 4, 64)).astype("float32")
    np.save(tmp_path / "grids.npy", grids[:2])
    (tmp_path / "grid.csv").write_text(",".join(f"{v:.9g}" for v in grids[2].reshape(-1)))
    result, lines = predict(run_dir, "grids.npy", "grid.csv", cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-3000:]
    assert [line[0] for line in lines] == ["grids.npy[0]", "grids.npy[1]", "grid.csv[0]"]
    assert [line[1] for line in lines] == served(run_dir, grids)
    assert "as the run evaluated" in result.stderr

    flat = tmp_path / "flat.npy"
    np.save(flat, grids[:, 0])  # (3, 4, 64): the grid's height left out
    with pytest.raises(
        DataError, match=r"flat.npy: got an array of shape \[3, 4, 64\]; .*\(1, 4, 64\)"
    ):
        predict_run(run_dir, [str(flat)])
