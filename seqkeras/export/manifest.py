"""`seqkeras_export.json`: what an export says of itself, as one typed object.

Every exporter writes its manifest through `ExportManifest` and every
reader outside `seqkeras.export` (`seqkeras predict`, the CLI's summary)
reads it through `ExportManifest.load`, so the keys are named in one place.
"""

import dataclasses
import json
import os
import typing
from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from seqkeras.errors import DataError

MANIFEST_FILE = "seqkeras_export.json"
#: The manifest version this seqkeras writes and the newest it reads.
#: Manifests written before versions were recorded have none: they are
#: version 1, whose keys are the same.
MANIFEST_VERSION = 1

#: How every text export describes its input.
RAW_STRINGS = "raw strings (UTF-8), one example each; tokenised inside the export"


def describe_input(spec, notes: Optional[dict] = None, **more) -> dict:
    """The manifest's `input` entry: `{"dtype", "shape", ...}` of the `tf.TensorSpec` `spec`.

    The shape has `null` where any size goes. Notes are what the values are
    (`units`, `range`, `form`, ...); keys whose value is `None` (unknown)
    are left out.
    """
    described = {"dtype": spec.dtype.name, "shape": spec.shape.as_list()}
    for key, value in {**(notes or {}), **more}.items():
        if value is not None:
            described[key] = list(value) if isinstance(value, tuple) else value
    return described


@dataclasses.dataclass(frozen=True)
class ExportManifest:
    """What an export takes, gives and needs, as `seqkeras_export.json` records it.

    Attributes:
        kind: The task kind of the export (`"classify"`, `"tag"`,
            `"seq2seq"`, `"caption"`, `"language_model"`, `"forecast"`).
        inputs: The short form of what `serving_default` takes: `"strings"`,
            `"images"` (encoded file contents), `"float32"` or
            `"float32 [shape]"`.
        input: The full description of `serving_default`'s input (dtype,
            shape, form, units; `pixels` for image exports), or `None` for
            exports written before it was recorded.
        signatures: The names of the export's signatures.
        decoding: The serialized decoding strategy `serving_default` uses
            (generating kinds), else `None`.
        requires: Packages a serving process must import first (for
            example `"tensorflow-text"` for subword tokens).
        portable: The LiteRT and ONNX files beside the SavedModel, by
            format, with the names their runtimes read.
        labels: The class names a classifier predicts, in id order.
        tags: The tags a tagger predicts, in id order.
        mean: The mean a forecaster standardises its inputs with.
        std: The standard deviation it standardises its inputs with.
        window: The number of recent values a forecaster reads.
        horizon: The number of values it forecasts.
        image_size: `[height, width]` an image export resizes to.
        pixels: The short form of an image export's pixels signature.
        max_source_length: The most tokens of a text input a seq2seq or
            classifier export reads; longer inputs are cut to it.
        version: The manifest format's version (`MANIFEST_VERSION`).
    """

    kind: Optional[str] = None
    inputs: Optional[str] = None
    input: Optional[Dict[str, Any]] = None
    signatures: Tuple[str, ...] = ()
    decoding: Optional[Dict[str, Any]] = None
    requires: Tuple[str, ...] = ()
    portable: Dict[str, Any] = dataclasses.field(default_factory=dict)
    labels: Optional[Tuple[str, ...]] = None
    tags: Optional[Tuple[str, ...]] = None
    mean: Optional[float] = None
    std: Optional[float] = None
    window: Optional[int] = None
    horizon: Optional[int] = None
    image_size: Optional[Tuple[int, int]] = None
    pixels: Optional[str] = None
    max_source_length: Optional[int] = None
    version: int = MANIFEST_VERSION

    @property
    def takes_text(self) -> bool:
        """Whether `serving_default` takes raw strings."""
        return self.inputs == "strings"

    @property
    def takes_images(self) -> bool:
        """Whether `serving_default` takes encoded image files' contents."""
        return self.inputs == "images"

    def to_json(self) -> Dict[str, Any]:
        """The manifest as `seqkeras_export.json` holds it (unset entries left out)."""
        values = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or value == () or value == {}:
                continue
            values[field.name] = list(value) if isinstance(value, tuple) else value
        return values

    @classmethod
    def from_json(cls, values: Dict[str, Any], source: str = MANIFEST_FILE) -> "ExportManifest":
        """The manifest `values` (a parsed `seqkeras_export.json`) describe.

        Raises:
            DataError: naming `source`, for a manifest that is not a JSON
                object or whose `version` is not one this seqkeras reads.
        """
        if not isinstance(values, dict):
            raise DataError(
                f"{source}: expected a JSON object of the export's description, got "
                f"{type(values).__name__}; write the export again with `seqkeras export`."
            )
        version = values.get("version", 1)
        if type(version) is not int or not 1 <= version <= MANIFEST_VERSION:
            raise DataError(
                f"{source}: manifest version {version!r} is not one this seqkeras reads "
                f"(1 to {MANIFEST_VERSION}); the export was written by a newer seqkeras: "
                f"upgrade seqkeras, or write the export again with this one."
            )
        known = {field.name for field in dataclasses.fields(cls)}
        # Entries of a newer minor kind are left for the readers that know them.
        entries = {key: value for key, value in values.items() if key in known}
        for field in dataclasses.fields(cls):
            # JSON gives lists back where the manifest holds tuples.
            if _holds_tuple(field.type) and isinstance(entries.get(field.name), list):
                entries[field.name] = tuple(entries[field.name])
        return cls(**entries)

    @classmethod
    def load(cls, export_dir) -> "ExportManifest":
        """The manifest of the export in `export_dir`.

        Raises:
            DataError: naming the file, when it is missing, not JSON, or of
                a version this seqkeras does not read.
        """
        path = os.path.join(os.fspath(export_dir), MANIFEST_FILE)
        try:
            with open(path, encoding="utf-8") as handle:
                values = json.load(handle)
        except FileNotFoundError:
            raise DataError(
                f"{path}: no such file; the export is incomplete, write it again with "
                f"`seqkeras export`."
            ) from None
        except (OSError, ValueError, RecursionError) as error:
            raise DataError(
                f"{path}: not readable as JSON ({error}); write the export again with "
                f"`seqkeras export`."
            ) from None
        return cls.from_json(values, path)


def _holds_tuple(annotation) -> bool:
    """Whether a field typed `annotation` holds a tuple (`Tuple[...]`, `Optional[Tuple[...]]`)."""
    if typing.get_origin(annotation) is tuple:
        return True
    return typing.get_origin(annotation) is typing.Union and any(
        typing.get_origin(arg) is tuple for arg in typing.get_args(annotation)
    )
