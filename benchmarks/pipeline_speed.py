"""How much faster do the pipelines train with the fast path? (issue 6)

Builds the models of shipped pipelines exactly as `seqkeras run` does (the
pipeline file, its task's data preparation on the built-in dataset, the
task's model, loss, metrics and optimizer) and times training steps on the
same first batches of the training set in four variants:

- `reference`: the layers' default path, `model.fit`'s default
  `jit_compile="auto"` (no XLA for these models);
- `fast`: every `seqkeras.layers.LSTM`/`VanillaRNN` on `implementation="fast"`;
- both again with `jit_compile=True` (XLA on the whole training step).

The variants are interleaved (A B C D A B C D ...) so a change in machine
load hits them alike; each figure is the median over repetitions of the
time for all the batches. Tracing and XLA compilation happen in a warm-up
pass over the same batches and are not counted. It prints ms per batch,
examples per second and the speed-up over `reference`. Run it with:

    python benchmarks/pipeline_speed.py [--pipelines char_lm dates] [--quick]

The language model's layers are stateful: its batches are consecutive
windows, so every variant carries the state from batch to batch as in a
run. This is a benchmark, never a test.
"""

import argparse
import os
import pathlib
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import seqkeras  # noqa: E402
from seqkeras.pipeline.config.loading import load_config  # noqa: E402
from seqkeras.pipeline.tasks import get_task  # noqa: E402
from seqkeras.pipeline.training.fit_setup import build_optimizer  # noqa: E402

PIPELINES = pathlib.Path(__file__).resolve().parent.parent / "pipelines"
VARIANTS = {
    "reference": ("reference", "auto"),
    "fast": ("fast", "auto"),
    "reference [XLA]": ("reference", True),
    "fast [XLA]": ("fast", True),
}


def build_variant(task, config, data, implementation, jit_compile):
    keras.utils.set_random_seed(config.seed)
    model = task.build(config, data)
    seqkeras.layers.set_implementation(model, implementation)
    loss, metrics = task.loss_and_metrics(config)
    steps = data.info.get("steps_per_epoch", 100)
    model.compile(
        optimizer=build_optimizer(config.train, steps),
        loss=loss,
        metrics=metrics,
        jit_compile=jit_compile,
    )
    return model


def time_batches(model, batches):
    start = time.perf_counter()
    for x, y in batches:
        model.train_on_batch(x, y)
    return time.perf_counter() - start


def run_pipeline_case(name, num_batches, repeats):
    config = load_config(PIPELINES / f"{name}.yaml")
    task = get_task(config.task)
    data = task.prepare(config, smoke=False)
    batches = list(data.train.take(num_batches))
    examples = sum(int(keras.ops.shape(y)[0]) for _, y in batches)
    models = {
        variant: build_variant(task, config, data, *options)
        for variant, options in VARIANTS.items()
    }
    for model in models.values():  # warm-up: tracing, XLA compilation
        time_batches(model, batches)
    seconds = {variant: [] for variant in models}
    for _ in range(repeats):
        for variant, model in models.items():
            seconds[variant].append(time_batches(model, batches))
    medians = {variant: float(np.median(times)) for variant, times in seconds.items()}
    print(
        f"\n### {name}: {num_batches} training batches of the built-in data, median of {repeats}\n"
    )
    print("| variant | ms per batch | examples/s | speed-up over reference |")
    print("|---|---:|---:|---:|")
    for variant, total in medians.items():
        print(
            f"| {variant} | {1e3 * total / num_batches:.1f} | "
            f"{examples / total:,.0f} | {medians['reference'] / total:.2f}x |"
        )
    return medians


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", nargs="+", default=["char_lm", "dates", "g2p_cmudict"])
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 repetitions")
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    start = time.perf_counter()
    for name in args.pipelines:
        run_pipeline_case(name, args.batches, repeats)
    print(f"\nbenchmark took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
