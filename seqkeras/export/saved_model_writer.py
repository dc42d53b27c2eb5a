"""Writing a SavedModel atomically: all of it, checked, or nothing."""

import json
import os
import shutil
import tempfile
from typing import Callable
from typing import Dict
from typing import List
from typing import NamedTuple
from typing import Optional
from typing import Sequence

import keras

from seqkeras.export.manifest import MANIFEST_FILE as INFO_FILE
from seqkeras.layers import portable_kernels
from seqkeras.utils.staging_folders import remove_stale_staging
from seqkeras.utils.staging_folders import staging_folder

#: The decoding strategy of a generating export, inside the SavedModel.
DECODING_ASSET = os.path.join("assets", "seqkeras_decoding.json")


class Endpoint(NamedTuple):
    """A serving signature: a Python function and the specs of its inputs."""

    fn: Callable
    input_signature: List


def write_saved_model(
    path: str,
    endpoints: Dict[str, Endpoint],
    *,
    resources: Sequence,
    check: Optional[Callable[[str], None]] = None,
    info: Optional[dict] = None,
    extras: Optional[Callable[[str], dict]] = None,
) -> str:
    """Save serving `endpoints` to `path` through a temporary directory.

    The SavedModel is written with `keras.export.ExportArchive`, which saves
    each variable the endpoints read once, under the name the graphs read it
    by, so graph-mode loaders (`saved_model_cli run`, TensorFlow Serving)
    restore them; the optimizer's variables are not part of it.
    `resources` are the Keras models and lookup tables (layers or
    `tf.Module`s holding them) the endpoints use.

    The SavedModel is written next to `path`, `check(temporary_path)` runs
    on it (it raises to reject the export), `extras(temporary_path)`, when
    given, writes further files beside the SavedModel (the portable
    formats) and returns entries for `info`, `info` is written as
    `seqkeras_export.json` (and its `decoding` entry, when there is one, as
    `assets/seqkeras_decoding.json`), and only then does the directory take
    its final name, replacing an earlier export there. On any failure the
    temporary directory is removed and an earlier export at `path` stays as
    it was.

    Returns:
        The absolute path of the export.
    """
    if "serving_default" not in endpoints:
        raise ValueError(
            "Received an invalid value for `endpoints`: expected a "
            f"'serving_default' entry, got {sorted(endpoints)}."
        )
    path = os.path.abspath(os.fspath(path))
    remove_stale_staging(path)  # what an export killed before left beside this one
    with staging_folder(path) as staging:
        # The portable loops only: a SavedModel made where the layers run
        # cuDNN or XLA-compiled loops must run on any CPU and in TensorFlow
        # Serving (which has no XLA by default).
        with portable_kernels():
            archive = keras.export.ExportArchive()
            for resource in resources:
                archive.track(resource)
            # serving_default first: TensorFlow Serving's default is the first.
            for name in sorted(endpoints, key=lambda n: n != "serving_default"):
                fn, input_signature = endpoints[name]
                archive.add_endpoint(name, fn, input_signature=input_signature)
            archive.write_out(staging, verbose=False)
        if check is not None:
            check(staging)
        info = {**(info or {}), "signatures": sorted(endpoints)}
        if extras is not None:
            info.update(extras(staging))
        _write_json(os.path.join(staging, INFO_FILE), info)
        if "decoding" in info:
            os.makedirs(os.path.join(staging, "assets"), exist_ok=True)
            _write_json(os.path.join(staging, DECODING_ASSET), info["decoding"])
        _replace_directory(staging, path)
    return path


def read_export_info(path: str) -> dict:
    """The `info` an export was written with (kind, signatures, options), as a dict.

    The raw JSON; `seqkeras.export.ExportManifest.load` reads it typed and
    checks its version, and is how seqkeras itself reads it.
    """
    with open(os.path.join(path, INFO_FILE), encoding="utf-8") as handle:
        return json.load(handle)


def _write_json(path: str, values) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(values, handle, indent=2, sort_keys=True)


def _replace_directory(source: str, target: str) -> None:
    if not os.path.exists(target):
        os.rename(source, target)
        return
    # A directory cannot be renamed over a non-empty one: move the old
    # export aside first, so that `target` is always a complete export.
    retired = tempfile.mkdtemp(
        prefix=f".{os.path.basename(target)}.old.", dir=os.path.dirname(target)
    )
    os.rmdir(retired)
    os.rename(target, retired)
    try:
        os.rename(source, target)
    except BaseException:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)
