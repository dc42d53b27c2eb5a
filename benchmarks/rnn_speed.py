"""How fast do seqkeras's recurrent layers train and infer? (issue 6)

In one process and one run, on identical shapes and data, it trains:

- LSTM: `seqkeras.layers.LSTM` (fast and reference paths),
  `keras.layers.LSTM`, `keras.layers.RNN(keras.layers.LSTMCell)` and, when
  PyTorch is installed, `torch.nn.LSTM`;
- vanilla RNN: `seqkeras.layers.VanillaRNN` (fast and reference),
  `keras.layers.SimpleRNN` and `torch.nn.RNN`;

each as `Input -> recurrent layer (last output) -> Dense(1)`, MSE loss, Adam
with `clipnorm=1.0`. The cases are the reference shape (batch 64, 100 steps,
64 inputs, 256 units) plus a short and a long sequence. Repetitions of the
models are interleaved (A B C A B C ...) so a change in machine load hits
all of them alike; figures are medians.

It prints, per case and model: ms per training step and per inference
batch, tokens (batch x steps) per second, the ratio to Keras's layer and to
PyTorch's, and the achieved GFLOP/s of the training step against a
measured matrix-multiply peak; then the fitted slope of step time against
sequence length, and the peak memory of a training step against sequence
length for full backpropagation through time and for TBPTT (windows of 50
steps, state carried over). Run it with:

    python benchmarks/rnn_speed.py [--quick]

Keras models are compiled as `model.fit` users get them by default,
`jit_compile="auto"`, which resolves to no XLA for all of these models; at
the reference shape the seqkeras and Keras layers are also measured with
`jit_compile=True` (rows marked "XLA"). PyTorch runs on one thread
(see `TorchRunner`). This is a benchmark, never a test.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# The BFC allocator on CPU keeps the memory statistics the peak-memory table
# reads (the default CPU allocator has none).
os.environ.setdefault("TF_CPU_ALLOCATOR_USE_BFC", "true")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import seqkeras  # noqa: E402

try:
    import torch
except ImportError:  # the benchmark runs without PyTorch, minus its rows
    torch = None

BATCH, INPUTS, UNITS = 64, 64, 256
TBPTT_WINDOW = 50


def keras_models(kind):
    """name -> function building the recurrent layer, for one cell kind."""
    if kind == "lstm":
        return {
            "seqkeras.LSTM fast": lambda: seqkeras.layers.LSTM(UNITS, implementation="fast"),
            "seqkeras.LSTM reference": lambda: seqkeras.layers.LSTM(
                UNITS, implementation="reference"
            ),
            "keras.layers.LSTM": lambda: keras.layers.LSTM(UNITS),
            "keras RNN(LSTMCell)": lambda: keras.layers.RNN(keras.layers.LSTMCell(UNITS)),
        }
    return {
        "seqkeras.VanillaRNN fast": lambda: seqkeras.layers.VanillaRNN(
            UNITS, implementation="fast"
        ),
        "seqkeras.VanillaRNN reference": lambda: seqkeras.layers.VanillaRNN(
            UNITS, implementation="reference"
        ),
        "keras.layers.SimpleRNN": lambda: keras.layers.SimpleRNN(UNITS),
    }


class KerasRunner:
    def __init__(self, make_layer, steps, jit_compile):
        keras.utils.set_random_seed(0)
        self.model = keras.Sequential(
            [keras.Input((steps, INPUTS)), make_layer(), keras.layers.Dense(1)]
        )
        self.model.compile(
            keras.optimizers.Adam(1e-3, clipnorm=1.0),
            "mse",
            jit_compile=jit_compile,
        )
        self.infer = tf.function(
            lambda x: self.model(x, training=False),
            jit_compile=self.model.jit_compile,
        )

    def train(self, x, y):
        self.model.train_on_batch(x, y)

    def predict(self, x):
        self.infer(x).numpy()


class TorchRunner:
    def __init__(self, kind, steps):
        # One thread: with the cores shared (TensorFlow's pools in this
        # process, other jobs on the machine) PyTorch's OpenMP workers spin
        # at barriers and ran 10-40x slower with two threads here.
        torch.set_num_threads(1)
        torch.manual_seed(0)
        rnn = torch.nn.LSTM if kind == "lstm" else torch.nn.RNN
        self.rnn = rnn(INPUTS, UNITS, batch_first=True)
        self.head = torch.nn.Linear(UNITS, 1)
        self.params = list(self.rnn.parameters()) + list(self.head.parameters())
        self.optimizer = torch.optim.Adam(self.params, 1e-3)

    def train(self, x, y):
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        self.optimizer.zero_grad()
        outputs, _ = self.rnn(x)
        loss = torch.mean((self.head(outputs[:, -1]) - y) ** 2)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()

    def predict(self, x):
        with torch.no_grad():
            self.head(self.rnn(torch.from_numpy(x))[0][:, -1])


def training_flops(kind, steps):
    """Multiply-add FLOPs of one training step: forward x 3 (forward plus
    the two products of the backward pass), recurrent layer only."""
    gates = 4 if kind == "lstm" else 1
    forward = 2 * BATCH * steps * (INPUTS + UNITS) * gates * UNITS
    return 3 * forward, forward


def matmul_peak_gflops(repeats):
    a = tf.random.normal((1024, 1024))
    product = tf.function(lambda: tf.matmul(a, a))
    product()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        product().numpy()
        times.append(time.perf_counter() - start)
    return 2 * 1024**3 / min(times) / 1e9


def interleaved_medians(runners, x, y, repeats):
    """name -> (train ms, inference ms), each the median of `repeats`."""
    for runner in runners.values():  # warm up: tracing, first allocations
        for _ in range(2):
            runner.train(x, y)
            runner.predict(x)
    train = {name: [] for name in runners}
    infer = {name: [] for name in runners}
    for _ in range(repeats):
        for name, runner in runners.items():
            start = time.perf_counter()
            runner.train(x, y)
            train[name].append(time.perf_counter() - start)
            start = time.perf_counter()
            runner.predict(x)
            infer[name].append(time.perf_counter() - start)
    return {name: (1e3 * np.median(train[name]), 1e3 * np.median(infer[name])) for name in runners}


def run_case(kind, steps, repeats, peak, with_xla):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, steps, INPUTS)).astype("float32")
    y = rng.normal(size=(BATCH, 1)).astype("float32")
    makers = keras_models(kind)
    runners = {name: KerasRunner(make, steps, "auto") for name, make in makers.items()}
    if with_xla:
        for name in list(makers)[:3]:
            runners[f"{name} [XLA]"] = KerasRunner(makers[name], steps, True)
    torch_name = "torch.nn.LSTM" if kind == "lstm" else "torch.nn.RNN"
    if torch is not None:
        runners[torch_name] = TorchRunner(kind, steps)
    results = interleaved_medians(runners, x, y, repeats)
    keras_name = list(runners)[2]
    flops, _ = training_flops(kind, steps)
    print(f"\n### {kind}, batch {BATCH}, {steps} steps, {INPUTS} inputs, {UNITS} units\n")
    print(
        "| model | train ms/step | infer ms/batch | train tokens/s | "
        f"train vs {keras_name} | infer vs {keras_name} | "
        f"train vs {torch_name} | GFLOP/s (% of peak) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, (train_ms, infer_ms) in results.items():
        keras_train, keras_infer = results[keras_name]
        vs_torch = f"{train_ms / results[torch_name][0]:.2f}x" if torch_name in results else "n/a"
        gflops = flops / (train_ms / 1e3) / 1e9
        print(
            f"| {name} | {train_ms:.1f} | {infer_ms:.1f} | "
            f"{BATCH * steps / (train_ms / 1e3):,.0f} | "
            f"{train_ms / keras_train:.2f}x | {infer_ms / keras_infer:.2f}x | "
            f"{vs_torch} | {gflops:.0f} ({100 * gflops / peak:.0f}%) |"
        )
    return results


def peak_training_memory(kind, total_steps, window):
    """Peak TensorFlow CPU memory (MB) of training over `total_steps`, in
    one step (window = total) or in windows carrying the state."""
    layer_class = seqkeras.layers.LSTM if kind == "lstm" else seqkeras.layers.VanillaRNN
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((window, INPUTS), batch_size=BATCH),
            layer_class(UNITS, return_sequences=True, stateful=True),
            keras.layers.Dense(1),
        ]
    )
    model.compile(keras.optimizers.Adam(1e-3, clipnorm=1.0), "mse")
    x = np.zeros((BATCH, total_steps, INPUTS), "float32")
    y = np.zeros((BATCH, total_steps, 1), "float32")
    model.train_on_batch(x[:, :window], y[:, :window])  # trace outside
    model.layers[0].reset_states()
    tf.config.experimental.reset_memory_stats("CPU:0")
    for start in range(0, total_steps, window):
        model.train_on_batch(x[:, start : start + window], y[:, start : start + window])
    return tf.config.experimental.get_memory_info("CPU:0")["peak"] / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 5")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    # 400 steps pushed the run past 5 minutes, PyTorch's training step
    # alone taking seconds there (see docs/speed.md).
    lengths = [20, 100, 200]
    started = time.perf_counter()

    peak = matmul_peak_gflops(10)
    print(
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
        f"PyTorch {torch.__version__ if torch else 'not installed'}; "
        f"{os.cpu_count()} CPU cores; "
        f"{repeats} interleaved repetitions, medians."
    )
    print(f"Measured matmul peak (TensorFlow, 1024x1024 float32): {peak:.0f} GFLOP/s")

    for kind in ("lstm", "vanilla"):
        by_length = {}
        for steps in lengths:
            by_length[steps] = run_case(kind, steps, repeats, peak, with_xla=steps == 100)
        print()
        for name in list(by_length[lengths[0]])[:3]:
            times = [by_length[steps][name][0] for steps in lengths]
            slope, intercept = np.polyfit(lengths, times, 1)
            fitted = np.polyval([slope, intercept], lengths)
            r2 = 1 - np.sum((np.array(times) - fitted) ** 2) / np.sum(
                (np.array(times) - np.mean(times)) ** 2
            )
            print(
                f"{name}: training step = {slope:.3f} ms x steps + "
                f"{intercept:.1f} ms (R^2 = {r2:.3f}, steps {lengths})"
            )

    print(
        "\n### Peak memory of training, seqkeras.LSTM (reference path) "
        f"(TensorFlow CPU allocator, batch {BATCH})\n"
    )
    print(f"| total steps | full BPTT MB | TBPTT ({TBPTT_WINDOW}-step windows) MB |")
    print("|---:|---:|---:|")
    for total in [100, 200, 400]:
        full = peak_training_memory("lstm", total, total)
        truncated = peak_training_memory("lstm", total, TBPTT_WINDOW)
        print(f"| {total} | {full:.0f} | {truncated:.0f} |")

    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
