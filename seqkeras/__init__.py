"""seqkeras: recurrent sequence models for Keras 3.

Layers (`seqkeras.layers`), model builders for every RNN topology
(`seqkeras.models`) and, in submodules imported on demand, data pipelines and
tools for training, decoding and export.
"""

import importlib
import os
import sys

from seqkeras.version import __version__

__all__ = ["layers", "models", "__version__"]


def _started_as_the_command() -> bool:
    # The `seqkeras` script, or `python -m seqkeras` (argv[0] is "-m" while
    # the package is found). The command imports TensorFlow only for the
    # commands that need it, so `--help` and `--version` answer at once.
    argv0 = sys.argv[0] if sys.argv else ""
    return argv0 == "-m" or os.path.basename(argv0) in ("seqkeras", "seqkeras.exe")


if _started_as_the_command():

    def __getattr__(name):
        if name in ("layers", "models"):
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

else:
    # Importing the layers registers them with Keras, so that `import
    # seqkeras` is all a `.keras` file with seqkeras layers needs to load.
    from seqkeras import layers
    from seqkeras import models
