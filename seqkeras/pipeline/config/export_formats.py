"""`export.formats`: what a task can export, checked before any work is done."""

import importlib.util
from typing import List
from typing import Sequence

from seqkeras.errors import ConfigError
from seqkeras.export.portable import INSTALL_HINT
from seqkeras.export.portable import PORTABLE_FORMATS
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.utils.shown import shown

SAVED_MODEL = "saved_model"


def check_export_formats(config: PipelineConfig, portable: Sequence[str], limits: str) -> None:
    """Reject `export.formats` that the task (which writes `portable`) cannot write.

    `limits` says why the task writes no other format.

    Raises:
        ConfigError: naming `export.formats`, what was asked and what works:
            `saved_model` missing, a format repeated or one the task cannot
            write, or a format whose packages are not installed.
    """
    formats = config.export.formats
    if not config.export.enabled:
        return
    if SAVED_MODEL not in formats:
        raise ConfigError(
            f"export.formats: got {shown(formats)}; expected 'saved_model' among them: export/ "
            f"is the SavedModel that serves raw inputs (seqkeras predict reads it), and the "
            f"other formats are written beside it. Set export.enabled: false to export "
            f"nothing."
        )
    repeated = sorted({f for f in formats if formats.count(f) > 1})
    if repeated:
        raise ConfigError(f"export.formats: got {shown(formats)}; {', '.join(repeated)} repeats.")
    unsupported = [f for f in formats if f != SAVED_MODEL and f not in portable]
    if unsupported:
        works = ", ".join([SAVED_MODEL, *portable])
        raise ConfigError(
            f"export.formats: task {config.task!r} cannot export {', '.join(unsupported)}: "
            f"{limits}. What works for {config.task!r}: {works}."
        )
    for name in formats:
        missing = _missing_modules(name)
        if missing:
            raise ConfigError(
                f"export.formats: {name} needs the Python package(s) {', '.join(missing)}, "
                f"which are not installed; install them with {INSTALL_HINT}."
            )


def portable_formats(config: PipelineConfig) -> List[str]:
    """The formats of `export.formats` that are written beside the SavedModel."""
    return [f for f in config.export.formats if f != SAVED_MODEL]


def _missing_modules(name: str) -> List[str]:
    modules = PORTABLE_FORMATS.get(name, {}).get("modules", ())
    return [m for m in modules if importlib.util.find_spec(m) is None]
