"""seqkeras: recurrent sequence models for Keras 3.

Layers (`seqkeras.layers`), model builders for every RNN topology
(`seqkeras.models`) and, in submodules imported on demand, data pipelines and
tools for training, decoding and export.
"""

from seqkeras import layers
from seqkeras import models
from seqkeras.version import __version__

__all__ = ["layers", "models", "__version__"]
