"""The default kernel against Keras's layers, where people train (issue 21).

In one process, repetitions interleaved, medians, it times training steps of

1. `seqkeras.layers.LSTM` with its default (`implementation="auto"`)
   against `keras.layers.LSTM`, at batch 16/64/256 x 20/100/500 steps
   (64 inputs, 256 units), and `seqkeras.layers.GRU` against
   `keras.layers.GRU` at batch 64 x 100 steps;
2. two programs written for `keras.layers.LSTM`, run as written and with
   the layer swapped for `seqkeras.layers.LSTM`: an encoder-decoder whose
   decoder starts from the encoder's `return_state`, and a `Sequential`
   character model (`Embedding -> LSTM -> Dense`).

Each model is `Input -> layer -> Dense`, MSE (the programs: sparse
cross-entropy), Adam with `clipnorm=1.0`, compiled as `model.fit` users get
it (`jit_compile="auto"`: no XLA on the whole model on a CPU). Run it with

    python benchmarks/default_kernel_speed.py [--quick]

(`--quick`: 3 repetitions and no 500-step cases; about a minute on 2
cores, the full run about 2.5 minutes). A benchmark, never a test.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import seqkeras  # noqa: E402

INPUTS, UNITS = 64, 256


def _runner(model, x, y, loss="mse"):
    model.compile(keras.optimizers.Adam(1e-3, clipnorm=1.0), loss)
    for _ in range(2):  # tracing and compiling outside the timing
        model.train_on_batch(x, y)
    return lambda: model.train_on_batch(x, y)


def _medians(runners, repeats):
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, step in runners.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: 1e3 * float(np.median(values)) for name, values in times.items()}


def layer_case(ours, theirs, batch, steps, repeats):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, steps, INPUTS)).astype("float32")
    y = rng.normal(size=(batch, 1)).astype("float32")
    runners = {}
    for name, make in (("ours", ours), ("keras", theirs)):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((steps, INPUTS)), make(UNITS), keras.layers.Dense(1)])
        runners[name] = _runner(model, x, y)
    return _medians(runners, repeats)


def encoder_decoder(lstm, vocabulary=64, units=256, source=30, target=25, batch=64):
    """A translation model as the Keras examples write it, with `lstm` as its layer."""
    source_ids = keras.Input((source,), dtype="int32")
    target_ids = keras.Input((target,), dtype="int32")
    encoded = keras.layers.Embedding(vocabulary, 64)(source_ids)
    _, h, c = lstm(units, return_state=True)(encoded)
    embedded = keras.layers.Embedding(vocabulary, 64)(target_ids)
    decoded = lstm(units, return_sequences=True)(embedded, initial_state=[h, c])
    logits = keras.layers.Dense(vocabulary)(decoded)
    model = keras.Model([source_ids, target_ids], logits)
    rng = np.random.default_rng(1)
    x = [rng.integers(1, vocabulary, (batch, source)), rng.integers(1, vocabulary, (batch, target))]
    y = rng.integers(1, vocabulary, (batch, target))
    return model, x, y


def char_model(lstm, vocabulary=96, units=256, steps=100, batch=32):
    """A `Sequential` character model, as the Keras text-generation example writes it."""
    model = keras.Sequential(
        [
            keras.Input((steps,), dtype="int32"),
            keras.layers.Embedding(vocabulary, 32),
            lstm(units, return_sequences=True),
            keras.layers.Dense(vocabulary),
        ]
    )
    rng = np.random.default_rng(2)
    x = rng.integers(0, vocabulary, (batch, steps))
    return model, x, np.roll(x, -1, axis=1)


def program_case(build, repeats):
    runners = {}
    for name, lstm in (("ours", seqkeras.layers.LSTM), ("keras", keras.layers.LSTM)):
        keras.utils.set_random_seed(0)
        model, x, y = build(lstm)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        runners[name] = _runner(model, x, y, loss)
    return _medians(runners, repeats)


def _row(label, result):
    ratio = result["ours"] / result["keras"]
    print(f"| {label} | {result['ours']:.1f} | {result['keras']:.1f} | {ratio:.2f}x |")
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions, no 500 steps")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    lengths = (20, 100) if args.quick else (20, 100, 500)
    started = time.perf_counter()
    print(f"Keras {keras.__version__}, {os.cpu_count()} cores, {repeats} repetitions, medians.\n")
    print("| case | seqkeras ms/step | Keras ms/step | seqkeras / Keras |")
    print("|---|---:|---:|---:|")
    for batch in (16, 64, 256):
        for steps in lengths:
            result = layer_case(seqkeras.layers.LSTM, keras.layers.LSTM, batch, steps, repeats)
            _row(f"LSTM, batch {batch} x {steps} steps", result)
    result = layer_case(seqkeras.layers.GRU, keras.layers.GRU, 64, 100, repeats)
    _row("GRU, batch 64 x 100 steps", result)
    _row("program: encoder-decoder (return_state)", program_case(encoder_decoder, repeats))
    _row("program: Sequential character model", program_case(char_model, repeats))
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
