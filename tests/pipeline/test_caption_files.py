"""Captioning image files: the config docs/your_data.md shows, through the real command.

The test writes a folder of small PNG (and a few JPEG) images of coloured
shapes with a captions.csv, runs the pipeline with `--smoke`, then checks
`seqkeras predict` and the export (loaded where seqkeras cannot be
imported, fed the files' bytes) against the Python model's greedy captions;
bad data and unreachable pretrained weights stop with exit code 2 before
any run folder exists.
"""

import json
import os
import pathlib
import re

import numpy as np
import pytest

from tests.helpers import run_folders
from tests.helpers import run_python
from tests.helpers import run_seqkeras

pytestmark = pytest.mark.slow

PIPELINE = """\
# Image captioning with spatial attention (one-to-many)
task: caption
data:
  dataset: files
  files: {train: data/captions.csv}          # image,caption ; image paths relative to the CSV file
  source: {column: image, type: image, size: [64, 64]}
  target: {column: caption, tokens: whitespace}
model:
  image_encoder: {kind: cnn}                 # cnn (small conv stack, trained) | a keras.applications name
                                             # such as mobilenet_v3_small, with weights: null | imagenet
"""
COLORS = {"red": (220, 30, 30), "green": (30, 170, 40), "blue": (30, 60, 220)}
SHAPES = ("square", "circle")


def write_images(root: pathlib.Path, count: int = 24) -> list:
    """`count` 32x32 images of coloured shapes; every sixth a JPEG, one grey."""
    from PIL import Image
    from PIL import ImageDraw

    (root / "data" / "img").mkdir(parents=True)
    rows, names = ["image,caption"], []
    for i in range(count):
        color, shape = list(COLORS)[i % 3], SHAPES[(i // 3) % 2]
        image = Image.new("RGB", (32, 32), (250, 250, 250))
        offset = i % 5
        box = (3 + offset, 4 + offset, 22 + offset, 25 + offset)
        draw = ImageDraw.Draw(image)
        (draw.rectangle if shape == "square" else draw.ellipse)(box, fill=COLORS[color])
        if i == 7:
            image = image.convert("L")  # decoded to three channels all the same
        name = f"img/{i}.{'jpg' if i % 6 == 5 else 'png'}"
        image.save(root / "data" / name)
        rows.append(f"{name},{color} {shape}")
        names.append(name)
    (root / "data" / "captions.csv").write_text("\n".join(rows) + "\n")
    return names


def greedy_in_process(run_dir, contents, vocabulary=None):
    """Captions, scores and attention of the saved model, decoded in Python.

    `vocabulary` decodes the captions; the run's `vocabulary.caption.txt` when not given.
    """
    import keras

    from seqkeras.data import Vocabulary
    from seqkeras.data.images import decode_image
    from seqkeras.decoding import DecodingStep
    from seqkeras.decoding import Greedy
    from seqkeras.decoding import generate

    # Saved by `seqkeras run`, loaded here: the .keras round trip in a fresh process.
    model = keras.saving.load_model(run_dir / "model.keras")
    assert model.image_encoder is not None and model.grid_shape == (8, 8, 128)
    if vocabulary is None:
        vocabulary = Vocabulary.load(run_dir / "vocabulary.caption.txt")
    pixels = np.stack([decode_image(c, (64, 64)).numpy() for c in contents])
    result = generate(
        DecodingStep.from_model(model),
        pixels,
        Greedy(40),
        start_id=vocabulary.start_id,
        end_id=vocabulary.end_id,
    )
    captions = [vocabulary.decode(row) for row in result.tokens.numpy()]
    return captions, result.scores.numpy(), result.alignments.numpy(), pixels


RELOAD = """
import json, sys
import numpy as np
try:
    import seqkeras
except ImportError:
    pass
else:
    raise SystemExit("seqkeras should not be importable here")
import tensorflow as tf
files = json.load(open("files.json"))
contents = [open(f, "rb").read() for f in files]
loaded = tf.saved_model.load("export")
served = loaded.signatures["serving_default"](inputs=tf.constant(contents))
pixels = loaded.signatures["pixels"](inputs=tf.constant(np.load("pixels.npy")))
np.savez("served.npz", **{f"files.{k}": v.numpy() for k, v in served.items()},
         **{f"pixels.{k}": v.numpy() for k, v in pixels.items()})
"""


def test_captioning_image_files_runs_predicts_and_serves_file_bytes(tmp_path, capsys):
    names = write_images(tmp_path)
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    result = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "seqkeras predict" in result.stdout and "image.png" in result.stdout
    [run_dir] = run_folders(tmp_path / "runs" / "run")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"exact_match", "word_error_rate", "token_error_rate", "bleu"} <= set(metrics)
    majority = metrics["baselines"]["majority"]
    assert majority["prediction"] in {f"{c} {s}" for c in COLORS for s in SHAPES}
    assert 0.0 <= majority["exact_match"] <= 1.0 and "word_error_rate" in majority
    assert (run_dir / "plots" / "attention_0.png").is_file()
    info = json.loads((run_dir / "export" / "seqkeras_export.json").read_text())
    assert info["inputs"] == "images" and info["image_size"] == [64, 64]
    assert {"serving_default", "pixels", "greedy", "beam_search"} <= set(info["signatures"])

    files = [str(tmp_path / "data" / n) for n in (names[0], names[5], names[7])]  # png, jpg, grey
    contents = [pathlib.Path(f).read_bytes() for f in files]
    captions, scores, attention, pixels = greedy_in_process(run_dir, contents)
    assert attention.shape[-1] == 8 * 8  # the cnn's grid of a 64x64 image

    from seqkeras.cli import main

    capsys.readouterr()
    assert main(["predict", str(run_dir), *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == files
    assert [line.split("\t")[1] for line in lines] == captions
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(20000, 20000))  # refused from its header, never decoded
    assert main(["predict", str(run_dir), files[0], str(bomb)]) == 2
    error = capsys.readouterr().err
    assert f"{bomb}: declares 400,000,000 pixels, more than the 89,478,485 pixels" in error

    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "seqkeras.py").write_text("raise ImportError('seqkeras is blocked')\n")
    (run_dir / "files.json").write_text(json.dumps(files))
    np.save(run_dir / "pixels.npy", pixels)
    done = run_python(RELOAD, cwd=run_dir, env_extra={"PYTHONPATH": str(blocker)})
    assert done.returncode == 0, done.stderr[-3000:]
    served = np.load(run_dir / "served.npz", allow_pickle=True)
    for signature in ("files", "pixels"):
        assert [o.decode() for o in served[f"{signature}.outputs"]] == captions
        np.testing.assert_allclose(served[f"{signature}.scores"], scores, atol=1e-4)
        np.testing.assert_allclose(served[f"{signature}.attention"], attention, atol=1e-4)
    # Different images, different decodings: the comparison is not of constants.
    assert len({round(float(s), 5) for s in scores}) > 1


def bad_run(tmp_path, yaml_text=PIPELINE):
    from seqkeras.cli import main

    (tmp_path / "pipeline.yaml").write_text(yaml_text)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return main(["run", "pipeline.yaml", "--smoke", "--output-dir", "runs"])
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(
    "damage, message",
    [
        ("missing", r"captions\.csv, line 5: image 'img/3\.png' \(.*img/3\.png\): no such file\."),
        (
            "undecodable",
            r"captions\.csv, line 5: image 'img/3\.png' \(.*\): cannot be decoded as an image",
        ),
        # 20000x20000 declared in a file of a few hundred bytes: refused from its header.
        ("bomb", r"line 5: image 'img/3\.png' \(.*\): declares 400,000,000 pixels, more than"),
        ("large", r"line 5: .*: declares 10000x9000 pixels, more than the 89,478,485 pixels"),
        ("header_only", r"line 5: .*: cannot be decoded as an image \(PNG, JPEG, GIF or BMP\): "),
        ("directory", r"line 5: image 'img/3\.png' \(.*\): is a directory, expected a file\."),
        ("fifo", r"line 5: image 'img/3\.png' \(.*\): is not a regular file \(a FIFO"),
    ],
)
def test_bad_image_stops_before_the_run_folder(damage, message, tmp_path, capsys):
    write_images(tmp_path)
    image = tmp_path / "data" / "img" / "3.png"
    image.unlink()
    if damage == "undecodable":
        image.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    elif damage in ("bomb", "large", "header_only"):
        size = {"bomb": (20000, 20000), "large": (10000, 9000), "header_only": (32, 32)}[damage]
        image.write_bytes(png_header(*size, pixels=damage != "header_only"))
    elif damage == "directory":
        image.mkdir()
    elif damage == "fifo":
        os.mkfifo(image)  # reading it would block: it is never opened
    assert bad_run(tmp_path) == 2
    error = capsys.readouterr().err
    assert error.startswith("seqkeras run: error: ")
    assert "Traceback" not in error
    assert re.search(message, error), error
    assert "function_node" not in error  # TensorFlow's wrapper names are left out
    assert not (tmp_path / "runs").exists()


def png_header(width: int, height: int, pixels: bool = True) -> bytes:
    """A PNG declaring `width` x `height`, with one compressed row of data (or none)."""
    import struct
    import zlib

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    data = chunk(b"IDAT", zlib.compress(b"\0" * (1 + 3 * width))) if pixels else b""
    return b"\x89PNG\r\n\x1a\n" + header + data + chunk(b"IEND", b"")


def test_max_pixels_bounds_every_image_and_is_named(tmp_path, capsys):
    write_images(tmp_path, count=12)
    text = PIPELINE.replace("size: [64, 64]}", "size: [64, 64], max_pixels: 1000}")
    assert bad_run(tmp_path, text) == 2
    error = capsys.readouterr().err
    assert "line 2: image 'img/0.png'" in error
    assert (
        "declares 32x32 pixels, more than the 1,000 pixels allowed (data.source.max_pixels)"
        in error
    )
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "source, message",
    [
        ("{column: image, type: image}", "data.source.size: required for an image column;"),
        ("{column: image, type: image, size: [64]}", "data.source.size: got [64]; expected a "),
        (
            "{column: image, type: image, size: [64, 0]}",
            "data.source.size: got [64, 0]; expected a list of 2 integers between 1 and 2147483647.",
        ),
        ("{column: image, size: [64, 64]}", "data.source.size: got [64, 64], but the column "),
    ],
)
def test_image_size_is_checked(source, message, tmp_path, capsys):
    write_images(tmp_path, count=12)
    text = PIPELINE.replace("{column: image, type: image, size: [64, 64]}", source)
    assert bad_run(tmp_path, text) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_unreachable_imagenet_weights_stop_with_a_clear_message(tmp_path):
    write_images(tmp_path, count=12)
    (tmp_path / "pipeline.yaml").write_text(
        PIPELINE.replace("size: [64, 64]", "size: [32, 32]").replace(
            "{kind: cnn}", "{kind: mobilenet_v3_small, weights: imagenet}"
        )
    )
    # No cached weights, and a proxy that refuses: offline wherever the test runs.
    offline = {
        "KERAS_HOME": str(tmp_path / "keras_home"),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "",
        "no_proxy": "",
    }
    result = run_seqkeras(
        "run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path, env_extra=offline
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert (
        "model.image_encoder.weights: the imagenet weights of mobilenet_v3_small could not be "
        "downloaded" in result.stderr
    )
    assert "`weights: null`" in result.stderr and ".weights.h5" in result.stderr
    assert not (tmp_path / "runs").exists()
