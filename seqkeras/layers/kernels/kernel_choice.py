"""Which kernel a sequence layer runs: the one dispatch point.

`implementation` of `LSTM`, `GRU` and `VanillaRNN` names a kernel or
`"auto"`:

- `"reference"`: `keras.layers.RNN`'s loop calling the cell at every step,
  in `keras.ops` (every backend, every configuration);
- `"fast"`: the input product hoisted out of the loop and a hand-written
  backward pass (`fast_recurrence`, `bptt_loops`), in `keras.ops`; the GRU
  has it with tanh and sigmoid, float32, `reset_after=True`, no `unroll`;
- `"xla"`: the fast path with its forward and backward loops each compiled
  by XLA (`tensorflow_kernels.compiled`; TensorFlow backend, float32,
  tanh and sigmoid activations, no `unroll`);
- `"cudnn"`: cuDNN's LSTM or GRU (`tensorflow_kernels.run_cudnn`; TensorFlow
  backend on a GPU, Keras's conditions: tanh and sigmoid, a bias, no
  recurrent dropout, no `unroll`, `reset_after=True` for the GRU, float32,
  and a mask, if any, right-padded with no empty row, checked as the model
  runs);
- `"auto"` (the default): for training calls, cuDNN where it applies, else
  `"xla"` where it applies, the sequence length is known when the model is
  traced (XLA compiles once per length: with length buckets, each bucket
  would compile anew) and the batch has at most `XLA_MAX_BATCH` sequences,
  else the reference loop; inference calls run
  the reference loop, the graph an export holds, so what is evaluated is
  what is served, and a model traced for inference on a GPU (Keras's own
  `model.export` too) holds no cuDNN op (the trap of keras#18504).

Whatever was chosen, an export traces the portable graph: inside
`portable_kernels()` (entered by seqkeras's exporters) `"xla"`, `"cudnn"`
and `"auto"` run the reference loop, so a SavedModel made on a GPU holds no
`Cudnn*` op and no XLA-compiled function and runs on any CPU.

An explicit `"xla"` or `"cudnn"` (or `"fast"` for a GRU) that the
configuration or device cannot run raises a `ValueError` naming the
setting; `"auto"` falls back, and the layer's `kernel_choice` says what it
ran and why.
"""

import contextlib
import dataclasses
import threading
from typing import Optional

import keras

KERNELS = ("reference", "fast", "xla", "cudnn")
IMPLEMENTATIONS = ("auto", *KERNELS)

_portable = threading.local()


#: The largest batch `auto` trains on the XLA-compiled loops: at batch 256
#: they were slower than the reference loop on a 2-core CPU, at 128 level
#: with it, below that faster (benchmarks/default_kernel_speed.py).
XLA_MAX_BATCH = 128


@dataclasses.dataclass(frozen=True)
class KernelChoice:
    """What a layer's last call ran: `kernel` (one of `KERNELS`) and why.

    `up_to_batch`, when set, limits `kernel` to batches of at most that
    size; larger ones run the reference loop (decided as the model runs,
    where the batch size is not known when it is traced).
    """

    kernel: str
    reason: str
    up_to_batch: Optional[int] = None


@contextlib.contextmanager
def portable_kernels():
    """Inside it, sequence layers trace only portable loops (for exports)."""
    previous = getattr(_portable, "on", False)
    _portable.on = True
    try:
        yield
    finally:
        _portable.on = previous


def tracing_portably():
    """Whether `portable_kernels()` is in force in this thread."""
    return getattr(_portable, "on", False)


def choose_kernel(
    layer, *, training, gpu, backend=None, portable=None, batch_size=None, steps=None
):
    """The kernel `layer` runs for one call.

    Args:
        layer: A `CellRNN` (`LSTM`, `GRU`, `VanillaRNN`).
        training: Whether the call is a training call.
        gpu: Whether a GPU is available to the backend.
        backend: The Keras backend's name. Defaults to the current one.
        portable: Whether an export is being traced. Defaults to whether
            `portable_kernels()` is in force.
        batch_size: The batch size where it is known when traced, or `None`.
        steps: The sequence length where it is known when traced, or `None`.

    Returns:
        A `KernelChoice`.

    Raises:
        ValueError: If `layer.implementation` is `"xla"` or `"cudnn"` and
            that kernel cannot run this configuration or on this device.
    """
    backend = backend or keras.backend.backend()
    portable = tracing_portably() if portable is None else portable
    asked = layer.implementation
    if portable:
        fast = asked == "fast" and _fast_problem(layer) is None
        kernel = "fast" if fast else "reference"
        return KernelChoice(kernel, "exports trace the portable loop")
    if asked == "fast":
        _refuse_if(layer, "fast", _fast_problem(layer))
    if asked in ("reference", "fast"):
        return KernelChoice(asked, f"implementation={asked!r}")
    cudnn_problem = _cudnn_problem(layer, gpu, backend)
    xla_problem = _xla_problem(layer, backend)
    if asked == "cudnn":
        _refuse_if(layer, "cudnn", cudnn_problem)
        return KernelChoice("cudnn", "implementation='cudnn'")
    if asked == "xla":
        _refuse_if(layer, "xla", xla_problem)
        return KernelChoice("xla", "implementation='xla'")
    if not training:
        return KernelChoice("reference", "auto: inference runs the portable loop")
    if cudnn_problem is None:
        return KernelChoice("cudnn", "auto: cuDNN on a GPU")
    if xla_problem is None and steps is None:
        # XLA compiles the loops once per length: with lengths that vary
        # (length buckets) the compilations cost more than they save.
        xla_problem = "the sequence length is not known when traced (xla compiles per length)"
    if xla_problem is None:
        if batch_size is not None and batch_size > XLA_MAX_BATCH:
            return KernelChoice(
                "reference",
                f"auto: a batch of {batch_size} is over {XLA_MAX_BATCH}, where the XLA "
                f"loops were slower ({cudnn_problem})",
            )
        reason = f"auto: XLA-compiled loops ({cudnn_problem})"
        if batch_size is None:
            return KernelChoice(
                "xla",
                f"{reason}; batches over {XLA_MAX_BATCH} run the reference loop",
                up_to_batch=XLA_MAX_BATCH,
            )
        return KernelChoice("xla", reason)
    return KernelChoice("reference", f"auto: {cudnn_problem}; {xla_problem}")


def _refuse_if(layer, kernel, problem):
    if problem is not None:
        raise ValueError(
            f"Received an invalid value for `implementation`: {type(layer).__name__} "
            f"layer {layer.name!r} cannot run {kernel!r}: {problem}."
        )


def _common_problem(layer, backend, kernel):
    cell = layer.cell
    if backend != "tensorflow":
        return f"{kernel} runs on the TensorFlow backend only, this is {backend!r}"
    if cell.compute_dtype != "float32":
        return f"{kernel} runs float32 only, the layer computes in {cell.compute_dtype!r}"
    if cell.activation is not keras.activations.tanh:
        return f"{kernel} needs activation='tanh'"
    recurrent_activation = getattr(cell, "recurrent_activation", keras.activations.sigmoid)
    if recurrent_activation is not keras.activations.sigmoid:
        return f"{kernel} needs recurrent_activation='sigmoid'"
    if layer.unroll:
        return f"{kernel} does not unroll (unroll=True)"
    return None


def _fast_problem(layer, kernel="fast"):
    """Why the GRU's fast loop cannot run it (the others have a generic loop)."""
    cell = layer.cell
    if not hasattr(cell, "reset_after"):
        return None
    if not cell.reset_after:
        return f"{kernel} needs reset_after=True for the GRU"
    problem = _common_problem(layer, "tensorflow", kernel)
    return None if problem is None else f"{problem} for the GRU"


def _xla_problem(layer, backend):
    return _common_problem(layer, backend, "xla") or _fast_problem(layer, "xla")


def _cudnn_problem(layer, gpu, backend):
    cell = layer.cell
    kind = type(layer).__name__
    if kind not in ("LSTM", "GRU"):
        return f"cudnn has no {kind}"
    problem = _common_problem(layer, backend, "cudnn")
    if problem is not None:
        return problem
    if not gpu:
        return "cudnn needs a GPU, none is visible"
    if cell.recurrent_dropout:
        return f"cudnn needs recurrent_dropout=0, got {cell.recurrent_dropout}"
    if not cell.use_bias:
        return "cudnn needs use_bias=True"
    if kind == "GRU" and not cell.reset_after:
        return "cudnn needs reset_after=True"
    return None
