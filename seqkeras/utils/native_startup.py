"""TensorFlow's native start-up lines, kept off the command line's stderr.

Importing TensorFlow 2.21 writes C++ log lines straight to file descriptor 2,
before and regardless of `TF_CPP_MIN_LOG_LEVEL`: "All log messages before
absl::InitializeLog() is called...", oneDNN and CPU-feature notes, "Could not
find cuda drivers" and, when devices are first listed, "failed call to
cuInit: ... UNKNOWN ERROR (303)", which reads as a failure on every machine
without a GPU. `quiet_tensorflow_startup` imports TensorFlow and lists its
devices with descriptor 2 sent to a temporary file, then writes back every
captured line that is not one of those known notices, so a real import error
still shows. `SEQKERAS_VERBOSE=1` leaves everything as TensorFlow prints it.

TensorFlow also writes notices while it runs, such as oneDNN's "supports
DT_BOOL only on platforms with AVX-512. Falling back to the default
Eigen-based implementation" when a beam search runs on a CPU without
AVX-512 (an `E0000` line, which reads as an error). `native_notices_filtered`
sends descriptor 2 through a small filter process for a whole command: it
forwards every line but the known notices as they come (progress bars
included), and, being a process of its own, still forwards what a crashing
command wrote last.
"""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from typing import Optional

#: Lines TensorFlow prints at start-up on any machine; nothing to act on.
STARTUP_NOTICES = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:. ]+\d+ (port|cudart_stub|cpu_feature_guard|cuda_platform|cuda_executor"
    r"|cuda_dnn|cuda_fft|cuda_blas|gpu_device|gpu_timer)\.cc:\d+\] .*"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate "
    r"compiler flags\.)$"
)
#: Lines TensorFlow and its companions print while they run, on any machine of the
#: kind; nothing to act on: oneDNN's fallback; SentencePiece (in `sentencepiece` and
#: tensorflow-text) loading a model trained without a normalisation table, as a
#: `tokens: subword` run's are; LiteRT's interpreter choosing its CPU delegate.
RUNTIME_NOTICES = re.compile(
    r"^([IWE]\d{4} [\d:. ]+\d+ util\.cc:\d+\] oneDNN supports DT_\w+ only on platforms with "
    r"AVX-512\. Falling back to the default Eigen-based implementation if present\."
    r"|normalizer\.cc\(\d+\) LOG\(INFO\) precompiled_charsmap is empty\. use identity "
    r"normalization\."
    r"|INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.)$"
)
#: Every native line kept off the console.
NATIVE_NOTICES = re.compile(f"{STARTUP_NOTICES.pattern}|{RUNTIME_NOTICES.pattern}")
#: A start of line that may become a notice once its end arrives: held back until then.
_NOTICE_START = re.compile(r"^([IWE]\d|WARNING|To enable|normalizer|INFO)")


def verbose() -> bool:
    """Whether the user asked to see everything (`SEQKERAS_VERBOSE=1`)."""
    return os.environ.get("SEQKERAS_VERBOSE", "") not in ("", "0")


def quiet_tensorflow_startup() -> None:
    """Import TensorFlow and initialise its devices without the start-up notices.

    Also sets `TF_CPP_MIN_LOG_LEVEL=2` (errors only) unless the user set it,
    and does nothing of this under `SEQKERAS_VERBOSE=1`.
    """
    if verbose():
        import tensorflow  # noqa: F401

        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _filtered_stderr():
        import tensorflow as tf

        tf.config.list_physical_devices()


@contextlib.contextmanager
def _filtered_stderr():
    """Descriptor 2 to a temporary file; its lines but the notices back after."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().decode("utf-8", "replace").splitlines()
                if not STARTUP_NOTICES.match(line)
            ]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


@contextlib.contextmanager
def native_notices_filtered():
    """Descriptor 2 through a filter process that drops TensorFlow's notices, for a block.

    Every other byte is forwarded at once. Does nothing under
    `SEQKERAS_VERBOSE=1`, or when no filter process can be started.
    """
    if verbose() or not sys.executable:
        yield
        return
    sys.stderr.flush()
    console = os.dup(2)
    try:
        # Its own session: Ctrl-C stops the command, which then still has
        # the filter to print its last words through.
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__],
            stdin=subprocess.PIPE,
            stdout=console,
            start_new_session=True,
        )
    except OSError:
        os.close(console)
        yield
        return
    os.dup2(process.stdin.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(console, 2)
        os.close(console)
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # a child of the command still holds the pipe; the filter ends with it


def forward_without_notices(source: int, target: int) -> None:
    """Copy descriptor `source` to `target` until its end, dropping notice lines.

    A complete line is forwarded unless it is a notice; an unfinished line
    (a progress bar redrawn with carriage returns) at once, unless it may
    still become one. When `target` closes (`2>&1 | head`), the rest is read
    and dropped, so the command writing to `source` never blocks or fails.
    """
    pending = b""
    while True:
        chunk = os.read(source, 65536)
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        text = b"".join(line + b"\n" for line in lines if not _is_notice(line))
        if pending and not _NOTICE_START.match(pending.decode("utf-8", "replace")):
            text, pending = text + pending, b""
        target = _write_all(target, text)
    if pending and not _is_notice(pending):
        _write_all(target, pending)


def _is_notice(line: bytes) -> bool:
    return bool(NATIVE_NOTICES.match(line.decode("utf-8", "replace").rstrip("\r")))


def _write_all(target: Optional[int], data: bytes) -> Optional[int]:
    """Write `data` to `target`; `None` (write nothing more) once it is closed."""
    try:
        while target is not None and data:
            data = data[os.write(target, data) :]
    except OSError:  # the reader went away
        return None
    return target


if __name__ == "__main__":
    # The filter process of `native_notices_filtered` (started with -I -S, so
    # it imports nothing but the standard library).
    forward_without_notices(sys.stdin.fileno(), sys.stdout.fileno())
