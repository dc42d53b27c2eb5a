"""SavedModel export with serving signatures that take raw inputs.

One function per task kind. Every exporter writes through a temporary
directory, reloads the result, compares it with the in-process model, and
only then moves it into place. The exports load with plain
`tf.saved_model.load`, without seqkeras. See docs/export.md.
"""

from seqkeras.export.caption import export_caption
from seqkeras.export.check import ExportCheckError
from seqkeras.export.classifier import export_classifier
from seqkeras.export.forecaster import export_forecaster
from seqkeras.export.language_model import export_language_model
from seqkeras.export.manifest import ExportManifest
from seqkeras.export.saved_model_writer import read_export_info
from seqkeras.export.saved_model_writer import write_saved_model
from seqkeras.export.seq2seq import export_seq2seq
from seqkeras.export.tagger import export_tagger

__all__ = [
    "export_caption",
    "export_classifier",
    "export_forecaster",
    "export_language_model",
    "export_seq2seq",
    "export_tagger",
    "ExportCheckError",
    "ExportManifest",
    "read_export_info",
    "write_saved_model",
]
