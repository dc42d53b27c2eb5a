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
"""

import contextlib
import os
import re
import sys
import tempfile

#: Lines TensorFlow prints at start-up on any machine; nothing to act on.
STARTUP_NOTICES = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:. ]+\d+ (port|cudart_stub|cpu_feature_guard|cuda_platform|cuda_executor"
    r"|cuda_dnn|cuda_fft|cuda_blas|gpu_device|gpu_timer)\.cc:\d+\] .*"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate "
    r"compiler flags\.)$"
)


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
