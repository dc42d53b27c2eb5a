"""Render numbers in the fonts matplotlib ships as PNG images captioned with their digits.

matplotlib ships TrueType fonts in `mpl-data/fonts/ttf/` (DejaVu Sans, Sans
Mono and Serif in several styles, STIX General, the Computer Modern fonts;
DejaVu and STIX under their free licences, Computer Modern under the
Knuth licence). This script renders 2-4 digit numbers with them, each in
a random font, size, grey level and small offset on a 32x96 canvas with
light noise, and writes the images as greyscale PNG files with a
`captions.csv`-style file per split: `image,caption`, the image path
relative to the file, the caption the digits separated by spaces
("4 0 7"): reading the number off the image is captioning with a
vocabulary of ten digits.

The test split is rendered only in fonts the training and validation
splits never use (`TEST_FONTS`), so the test figure measures how well the
model reads an unseen typeface. Everything goes to
`examples/data/font_captions/`, which `examples/font_captions.yaml` reads:

    python examples/prepare_font_captions.py
    seqkeras run examples/font_captions.yaml
"""

import argparse
import csv
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
HEIGHT, WIDTH = 32, 96
TRAIN_FONTS = (
    "DejaVuSans",
    "DejaVuSans-Bold",
    "DejaVuSans-Oblique",
    "DejaVuSansMono",
    "DejaVuSansMono-Bold",
    "DejaVuSansMono-Oblique",
    "DejaVuSerif",
    "DejaVuSerif-Bold",
    "DejaVuSerif-Italic",
    "STIXGeneral",
    "STIXGeneralBol",
    "STIXGeneralItalic",
    "cmr10",
    "cmtt10",
    "cmb10",
)
#: Held out: the test split's typefaces only.
TEST_FONTS = (
    "DejaVuSans-BoldOblique",
    "DejaVuSansMono-BoldOblique",
    "DejaVuSerif-BoldItalic",
    "STIXGeneralBolIta",
    "cmss10",
)


def font_folder() -> pathlib.Path:
    import matplotlib

    return pathlib.Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render(text: str, font_path: pathlib.Path, rng: np.random.Generator) -> "Image.Image":  # noqa: F821
    """`text` in the font at a random size, grey level and offset, with noise."""
    from PIL import Image
    from PIL import ImageDraw
    from PIL import ImageFont

    for size in range(int(rng.integers(18, 27)), 8, -1):
        font = ImageFont.truetype(str(font_path), size)
        left, top, right, bottom = font.getbbox(text)
        if right - left <= WIDTH - 4 and bottom - top <= HEIGHT - 4:
            break
    background = int(rng.integers(170, 256))
    ink = int(rng.integers(0, max(1, background - 110)))
    image = Image.new("L", (WIDTH, HEIGHT), background)
    x = int(rng.integers(2, max(3, WIDTH - (right - left) - 1))) - left
    y = int(rng.integers(2, max(3, HEIGHT - (bottom - top) - 1))) - top
    ImageDraw.Draw(image).text((x, y), text, font=font, fill=ink)
    pixels = np.asarray(image, "float32") + rng.normal(0, rng.uniform(2, 12), (HEIGHT, WIDTH))
    return Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"))


def write_split(out: pathlib.Path, split: str, count: int, fonts, rng: np.random.Generator) -> None:
    folder = out / split
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: font_folder() / f"{name}.ttf" for name in fonts}
    with open(out / f"{split}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "caption"])
        for i in range(count):
            digits = int(rng.integers(2, 5))
            number = str(int(rng.integers(10 ** (digits - 1), 10**digits)))
            font = fonts[int(rng.integers(len(fonts)))]
            name = f"{split}/{i:05d}.png"
            render(number, paths[font], rng).save(out / name)
            writer.writerow([name, " ".join(number)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(HERE / "data" / "font_captions"))
    parser.add_argument("--train", type=int, default=6000, help="training images")
    parser.add_argument("--validation", type=int, default=600, help="validation images")
    parser.add_argument("--test", type=int, default=1000, help="test images (held-out fonts)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    rng = np.random.default_rng(args.seed)
    write_split(out, "train", args.train, TRAIN_FONTS, rng)
    write_split(out, "validation", args.validation, TRAIN_FONTS, rng)
    write_split(out, "test", args.test, TEST_FONTS, rng)
    total = args.train + args.validation + args.test
    print(f"Wrote {total} images ({HEIGHT}x{WIDTH}) and train/validation/test.csv to {out}")


if __name__ == "__main__":
    main()
