"""How fast does an exported seq2seq model decode? (issue 5, acceptance item 7)

Builds a date-normalisation-sized seq2seq model (character vocabularies,
bidirectional LSTM encoder, attention decoder), exports it with
`seqkeras.export.export_seq2seq`, reloads the SavedModel with plain
`tf.saved_model.load` and times its `serving_default` (greedy) and
`beam_search` (beam width 5) signatures on raw strings at batch sizes 1 and
64, printing sequences per second.

The model is untrained, so it never produces `<end>` early and every
sequence runs the full `--max-length` steps: the worst case for a given
length. Run it with:

    python benchmarks/decoding_speed.py [--units 128] [--max-length 12]

This is a benchmark, never a test.
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqkeras.data import Vocabulary  # noqa: E402
from seqkeras.decoding import Greedy  # noqa: E402
from seqkeras.export import export_seq2seq  # noqa: E402
from seqkeras.models import build_seq2seq  # noqa: E402

SOURCES = [
    "31 January 2024",
    "1/31/24",
    "31.01.2024",
    "Jan 31, 2024",
    "2 mars 1999",
    "12. Dezember 1987",
    "7 de julio de 2001",
]


def time_signature(signature, texts, repeats, **options):
    inputs = tf.constant(texts)
    signature(inputs=inputs, **options)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        signature(inputs=inputs, **options)
    return len(texts) * repeats / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--max-length", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    source = Vocabulary.build(SOURCES, split="char")
    target = Vocabulary.build(["0123456789-"], split="char")
    model = build_seq2seq(source.size, target.size, embedding_dim=64, units=args.units)
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        path = export_seq2seq(
            model,
            source,
            target,
            os.path.join(directory, "export"),
            strategy=Greedy(args.max_length),
        )
        print(f"export written and checked in {time.perf_counter() - start:.1f} s")
        loaded = tf.saved_model.load(path)
        print(
            f"units={args.units}  max_length={args.max_length}  "
            f"(every sequence runs all {args.max_length} steps)"
        )
        print(f"{'strategy':<10}{'batch':>6}{'sequences/s':>14}")
        rng = np.random.default_rng(0)
        beam = {"beam_width": tf.constant(5, tf.int64), "length_penalty": tf.constant(0.0)}
        for name, signature, options in (
            ("greedy", "serving_default", {}),
            ("beam 5", "beam_search", beam),
        ):
            for batch in (1, 64):
                texts = [SOURCES[i] for i in rng.integers(0, len(SOURCES), batch)]
                repeats = args.repeats * (8 if batch == 1 else 1)
                rate = time_signature(loaded.signatures[signature], texts, repeats, **options)
                print(f"{name:<10}{batch:>6}{rate:>14.1f}")


if __name__ == "__main__":
    main()
