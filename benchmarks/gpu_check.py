"""The GPU check of issue 21, in one command (about 5 minutes on one GPU).

    python benchmarks/gpu_check.py              # on a machine with a GPU
    python benchmarks/gpu_check.py --dry-run    # anywhere: small shapes, cuDNN rows skipped

It prints a Markdown report of four parts and exits 1 if a check fails:

1. cuDNN against the reference loop on the GPU, outputs and gradients
   (inputs and every weight) to 1e-4: LSTM and GRU, plain, masked
   (right-padded), `go_backwards`, stateful, bidirectional, with an
   initial state;
2. training step time of `seqkeras.layers.LSTM` / `GRU` with the default
   `implementation="auto"` against `keras.layers.LSTM` / `GRU` (cuDNN on a
   GPU) and `torch.nn.LSTM` / `GRU` (cuDNN when PyTorch has CUDA), batch 64,
   100 steps, 64 inputs, 256 units, repetitions interleaved, medians;
3. one pipeline (`dates`, 3 epochs; the dry run: a `digits_rows` smoke
   run) run whole with `model.implementation: auto` and `reference`, wall
   seconds;
4. an export made here and reloaded in a fresh process with GPUs hidden,
   answering as the model does to 1e-5, and holding no `Cudnn*` op.

`--dry-run` runs all of it on the CPU at a small shape, with the cuDNN
rows of part 1 skipped (they need a GPU) and part 3 on a smoke run; CI runs
it so the script stays ready (tests/test_gpu_check.py).
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import seqkeras  # noqa: E402
from seqkeras.export.saved_model_writer import Endpoint  # noqa: E402
from seqkeras.export.saved_model_writer import write_saved_model  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
LAYERS = {"lstm": seqkeras.layers.LSTM, "gru": seqkeras.layers.GRU}
KERAS_LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
CASES = {
    "plain": ({"return_sequences": True, "return_state": True}, {}),
    "masked": ({"return_sequences": True, "return_state": True}, {"mask": "right"}),
    "go_backwards": ({"return_sequences": True, "go_backwards": True}, {"mask": "right"}),
    "initial_state": ({"return_sequences": True}, {"initial_state": True}),
    "stateful": ({"return_sequences": True, "stateful": True}, {}),
    "bidirectional": ({"return_sequences": True}, {"bidirectional": True}),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="small shapes, on the CPU")
    args = parser.parse_args(argv)
    gpu = bool(tf.config.list_logical_devices("GPU"))
    if not args.dry_run and not gpu:
        print("No GPU is visible; run with --dry-run to check the script on a CPU.")
        return 2
    shape = (4, 9, 3, 5) if args.dry_run else (64, 100, 64, 256)
    print(f"# GPU check ({'dry run, CPU' if args.dry_run else 'GPU'}), tensorflow {tf.__version__}")
    failures = check_kernels(shape, gpu and not args.dry_run)
    time_training(shape, repeats=5 if args.dry_run else 10)
    time_pipeline(smoke=args.dry_run)
    failures += check_export(shape)
    print(f"\n{failures} check(s) failed." if failures else "\nAll checks passed.")
    return 1 if failures else 0


def _pair(kind, options, bidirectional):
    """The cuDNN layer and the reference layer, same random weights, built."""
    made = []
    for implementation in ("cudnn", "reference"):
        layer = LAYERS[kind](5, implementation=implementation, **options)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer)
        made.append(layer)
    return made


def check_kernels(shape, gpu):
    """Part 1; returns the number of failed checks."""
    print("\n## 1. cuDNN against the reference loop (outputs and gradients, 1e-4)\n")
    print("| cell | case | result |\n|---|---|---|")
    if not gpu:
        for kind in LAYERS:
            for case in CASES:
                print(f"| {kind} | {case} | skipped: cuDNN needs a GPU (dry run) |")
        return 0
    batch, steps, inputs, _ = shape
    units = 5
    failures = 0
    rng = np.random.default_rng(0)
    for kind in LAYERS:
        for case, (options, call) in CASES.items():
            cudnn, reference = _pair(kind, options, call.get("bidirectional"))
            x = tf.constant(rng.normal(size=(batch, steps, inputs)).astype("float32"))
            kwargs = {}
            if call.get("mask"):
                lengths = rng.integers(1, steps + 1, size=batch)
                kwargs["mask"] = tf.sequence_mask(lengths, steps)
            if call.get("initial_state"):
                states = [tf.constant(rng.normal(size=(batch, units)), tf.float32)]
                kwargs["initial_state"] = states * (2 if kind == "lstm" else 1)
            cudnn(x, **kwargs)
            reference(x, **kwargs)
            weights = [rng.normal(scale=0.3, size=w.shape) for w in cudnn.get_weights()]
            cudnn.set_weights(weights)
            reference.set_weights(weights)
            try:
                for _ in range(2 if options.get("stateful") else 1):
                    got = _outputs_and_gradients(cudnn, x, kwargs)
                    want = _outputs_and_gradients(reference, x, kwargs)
                for g, w in zip(got, want):
                    np.testing.assert_allclose(g, w, atol=1e-4, rtol=1e-4)
                chosen = _kernels(cudnn)
                assert chosen == {"cudnn"}, f"ran {chosen}"
                print(f"| {kind} | {case} | equal |")
            except AssertionError as error:
                failures += 1
                message = " ".join(str(error).split())[:200]
                print(f"| {kind} | {case} | **FAILED**: {message} |")
    return failures


def _kernels(layer):
    if isinstance(layer, keras.layers.Bidirectional):
        return _kernels(layer.forward_layer) | _kernels(layer.backward_layer)
    return {layer.kernel_choice.kernel}


def _outputs_and_gradients(layer, x, kwargs):
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = tf.nest.flatten(layer(x, training=True, **kwargs))
        loss = tf.add_n([tf.reduce_sum(o * tf.cos(o)) for o in outputs])
    grads = tape.gradient(loss, [x] + layer.trainable_weights)
    return [np.asarray(o) for o in outputs] + [np.asarray(g) for g in grads]


def time_training(shape, repeats):
    """Part 2: ms per training step, interleaved, medians."""
    batch, steps, inputs, units = shape
    print(
        f"\n## 2. Training step, batch {batch} x {steps} steps x {inputs} inputs x {units} units\n"
    )
    rng = np.random.default_rng(1)
    x = rng.normal(size=(batch, steps, inputs)).astype("float32")
    y = rng.normal(size=(batch, 1)).astype("float32")
    for kind in LAYERS:
        runners = {
            f"seqkeras.layers.{kind.upper()} (auto)": _keras_runner(
                lambda kind=kind: LAYERS[kind](units), x, y
            ),
            f"keras.layers.{kind.upper()}": _keras_runner(
                lambda kind=kind: KERAS_LAYERS[kind](units), x, y
            ),
        }
        torch_runner = _torch_runner(kind, x, y, units)
        if torch_runner is not None:
            runners[f"torch.nn.{kind.upper()}"] = torch_runner
        times = {name: [] for name in runners}
        for _ in range(repeats):
            for name, step in runners.items():
                start = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - start)
        base = np.median(times[f"keras.layers.{kind.upper()}"])
        print("| model | ms/step | vs Keras |\n|---|---:|---:|")
        for name, values in times.items():
            median = np.median(values)
            print(f"| {name} | {median * 1000:.1f} | {median / base:.2f}x |")


def _keras_runner(make_layer, x, y):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(x.shape[1:]), make_layer(), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3, clipnorm=1.0), "mse")
    for _ in range(2):  # traced and compiled outside the timing
        model.train_on_batch(x, y)
    return lambda: model.train_on_batch(x, y)


def _torch_runner(kind, x, y, units):
    try:
        import torch
    except ImportError:
        print(f"(torch.nn.{kind.upper()}: PyTorch is not installed)")
        return None
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(
        x.shape[-1], units, batch_first=True
    ).to(device)
    head = torch.nn.Linear(units, 1).to(device)
    params = list(rnn.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, 1e-3)
    tx, ty = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    def step():
        optimizer.zero_grad()
        outputs, _ = rnn(tx)
        loss = torch.mean((head(outputs[:, -1]) - ty) ** 2)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        if device == "cuda":
            torch.cuda.synchronize()

    step()
    return step


def time_pipeline(smoke):
    """Part 3: a pipeline run whole with `auto` and with `reference`."""
    # The dry run takes the quickest pipeline, only to exercise this part.
    name, epochs = ("digits_rows", 1) if smoke else ("dates", 3)
    what = "smoke run" if smoke else f"{epochs} epochs"
    print(f"\n## 3. Pipeline (`{name}`, {what}), wall seconds\n")
    print("| model.implementation | run s |\n|---|---:|")
    for implementation in ("auto", "reference"):
        with tempfile.TemporaryDirectory() as output:
            extra = ["--smoke"] if smoke else ["--set", f"train.epochs={epochs}"]
            command = [
                sys.executable,
                "-m",
                "seqkeras",
                "run",
                str(ROOT / "pipelines" / f"{name}.yaml"),
                "--output-dir",
                output,
                "--set",
                f"model.implementation={implementation}",
                "--set",
                "export.enabled=false",
                *extra,
            ]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - start
            if done.returncode != 0:
                print(f"| {implementation} | failed: {done.stderr[-300:]!r} |")
                continue
            print(f"| {implementation} | {seconds:.1f} |")


def check_export(shape):
    """Part 4: export here, reload with GPUs hidden; returns failures."""
    print("\n## 4. Export made here, reloaded with GPUs hidden\n")
    batch, steps, inputs, _ = shape
    model = keras.Sequential(
        [
            keras.Input((None, inputs)),
            seqkeras.layers.LSTM(8, return_sequences=True),
            seqkeras.layers.GRU(8),
            keras.layers.Dense(2),
        ]
    )
    model.compile("adam", "mse")
    x = np.random.default_rng(2).normal(size=(batch, steps, inputs)).astype("float32")
    model.fit(x, np.zeros((batch, 2), "float32"), epochs=1, verbose=0)
    trained_on = sorted({layer.kernel_choice.kernel for layer in model.layers[:2]})
    spec = tf.TensorSpec((None, None, inputs), tf.float32)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export")
        endpoint = Endpoint(lambda x: {"outputs": model(x, training=False)}, [spec])
        write_saved_model(path, {"serving_default": endpoint}, resources=[model])
        graph = pathlib.Path(path, "saved_model.pb").read_bytes()
        np.save(os.path.join(folder, "x.npy"), x)
        code = (
            "import json, numpy as np, tensorflow as tf\n"
            f"served = tf.saved_model.load({path!r}).signatures['serving_default']\n"
            f"x = np.load({os.path.join(folder, 'x.npy')!r})\n"
            "print(json.dumps([len(tf.config.list_logical_devices('GPU')),"
            " served(x=tf.constant(x))['outputs'].numpy().tolist()]))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=dict(os.environ, CUDA_VISIBLE_DEVICES=""),
        )
    if done.returncode != 0:
        print(f"**FAILED**: the export did not load: {done.stderr[-500:]}")
        return 1
    gpus, got = json.loads(done.stdout.splitlines()[-1])
    want = np.asarray(model(x, training=False))
    error = float(np.max(np.abs(np.array(got) - want)))
    holds_cudnn = b"Cudnn" in graph
    ok = gpus == 0 and error <= 1e-5 and not holds_cudnn
    print(f"- trained on: {', '.join(trained_on)}; GPUs in the loading process: {gpus}")
    print(f"- largest difference from the model: {error:.2e} (limit 1e-5)")
    print(f"- `Cudnn*` ops in the graph: {'yes' if holds_cudnn else 'none'}")
    print("- result: " + ("equal" if ok else "**FAILED**"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
