"""`seqkeras predict`: a finished run's export on the user's inputs.

What is served is what was measured: without options the export's
`serving_default` answers, decoding with the strategy the run evaluated
with (recorded in the export). `--strategy`, `--beam-width`,
`--length-penalty`, `--temperature`, `--top-k` and `--seed` pick another
strategy or option, which the export's `greedy`, `beam_search` and `sample`
signatures serve.
"""

import dataclasses
import re
import sys
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.commands.finished_run import open_run

GENERATING_KINDS = ("seq2seq", "caption", "language_model")
#: The input that stands for the lines of standard input.
STDIN = "-"
# The signature of an image captioner that takes decoded pixels (seqkeras/export/caption.py).
PIXELS = "pixels"


@dataclasses.dataclass
class DecodingOverrides:
    """The command line's decoding options; `None` where not given."""

    strategy: Optional[str] = None
    beam_width: Optional[int] = None
    length_penalty: Optional[float] = None
    temperature: Optional[float] = None
    top_k: Optional[int] = None
    seed: Optional[int] = None

    #: The strategy each option is for, and the strategy's argument it sets.
    OPTIONS = {
        "beam": {"beam_width": "width", "length_penalty": "length_penalty"},
        "sample": {"temperature": "temperature", "top_k": "top_k", "seed": "seed"},
    }

    def given(self) -> bool:
        return any(v is not None for v in dataclasses.asdict(self).values())

    def implied(self) -> Optional[str]:
        """The strategy the options given are for (`--beam-width` is beam search's)."""
        for name, fields in self.OPTIONS.items():
            if any(getattr(self, field) is not None for field in fields):
                return name
        return None

    def options_for(self, name: str) -> Dict[str, Any]:
        """The strategy `name`'s arguments these options set.

        Raises:
            ConfigError: naming the options given that are another strategy's.
        """
        for other, fields in self.OPTIONS.items():
            if other != name and any(getattr(self, field) is not None for field in fields):
                flags = "/".join(flag(field) for field in fields)
                raise ConfigError(f"{flags}: for --strategy {other}, not {name!r}.")
        fields = self.OPTIONS.get(name, {})
        given = {argument: getattr(self, field) for field, argument in fields.items()}
        return {argument: value for argument, value in given.items() if value is not None}

    @classmethod
    def flag_of(cls, argument: str) -> str:
        """The command-line option that sets the strategy argument `argument`."""
        for fields in cls.OPTIONS.values():
            for field, option in fields.items():
                if option == argument:
                    return flag(field)
        return "--strategy"


def flag(field: str) -> str:
    """`beam_width` -> `--beam-width`: the command-line option of a field."""
    return "--" + field.replace("_", "-")


@dataclasses.dataclass
class Predictions:
    """What `predict_run` answers: one output per example, and what produced them."""

    inputs: List[str]  # each example as the user gave it: text, or file[index]
    outputs: List[str]
    used: str


def predict_run(
    run_dir, inputs: List[str], overrides: Optional[DecodingOverrides] = None
) -> Predictions:
    """The run's export on `inputs`: strings, image files, or files of numbers.

    Exports that take float tensors read `inputs` as files of arrays
    (`seqkeras/pipeline/commands/prediction_inputs.py`), checked against the shape the
    export records; a forecaster reads the recent values of a series. A lone
    `-` stands for the lines of standard input, each one input of a text export.
    """
    import tensorflow as tf

    from seqkeras.export.manifest import ExportManifest

    overrides = overrides or DecodingOverrides()
    run_dir, config = open_run(run_dir)
    export = run_dir / "export"
    if not (export / "saved_model.pb").is_file():
        raise ConfigError(f"{run_dir}: no export/; run `seqkeras export {run_dir}` first.")
    manifest = ExportManifest.load(export)
    if STDIN in inputs:
        inputs = _standard_input(inputs, manifest)
    elif manifest.takes_text:
        _check_utf8_arguments(inputs)
    served = _ExportLoader(export, manifest, run_dir)
    names, values, signature = _export_inputs(manifest, served, inputs, config)
    signature, arguments, used = _decoding(manifest, signature, overrides)
    outputs = served().signatures[signature](inputs=tf.constant(values), **arguments)
    return Predictions(names, [_as_text(row) for row in outputs["outputs"].numpy()], used)


class _ExportLoader:
    """The export's SavedModel, loaded at the first call (reading some inputs needs it)."""

    def __init__(self, export, manifest, run_dir):
        self.export, self.manifest, self.run_dir = export, manifest, run_dir
        self.loaded = None

    def __call__(self):
        import tensorflow as tf

        if self.loaded is None:
            _import_required_ops(self.manifest, self.export)
            try:
                self.loaded = tf.saved_model.load(str(self.export))
            except Exception as error:  # any failure to load is a damaged export
                reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
                raise DataError(
                    f"{self.export}: the SavedModel cannot be loaded ({reason}); write it "
                    f"again with `seqkeras export {self.run_dir}`."
                ) from error
        return self.loaded


def _export_inputs(manifest, served, inputs: List[str], config):
    """`(names, values, signature)`: each input's name, the values the export takes, and
    the signature that takes them (`pixels` for arrays of pixels, else `serving_default`).
    """
    names, values, signature = list(inputs), inputs, "serving_default"
    if manifest.takes_images:
        if all(_is_array_file(path) for path in inputs) and PIXELS in manifest.signatures:
            signature = PIXELS
            described = (manifest.input or {}).get("pixels")
            names, values = _arrays(described, served, PIXELS, inputs)
        else:
            values = _image_files(inputs, config.data.source.max_pixels)
    elif not manifest.takes_text:
        if manifest.kind == "forecast":
            names, values = _windows(manifest.input, served, manifest, inputs)
        else:
            names, values = _arrays(manifest.input, served, signature, inputs)
    return names, values, signature


def _decoding(manifest, signature: str, overrides: DecodingOverrides):
    """`(signature, its option inputs, what was used)` for the decoding asked for."""
    from seqkeras.decoding import deserialize_strategy

    kind = manifest.kind
    if kind not in GENERATING_KINDS:
        if overrides.given():
            raise ConfigError(
                f"--strategy: a {kind} export predicts in one pass and has no decoding "
                f"strategy; remove the decoding options."
            )
        return signature, {}, f"the {kind} model"
    recorded = deserialize_strategy(manifest.decoding)
    wanted, arguments, used = _signature_for(recorded, overrides)
    if signature == PIXELS and wanted != "serving_default":
        raise ConfigError(
            "--strategy: image pixels are served with the strategy the run evaluated "
            "with only; give image files (PNG or JPEG) to decode with another."
        )
    return (signature if wanted == "serving_default" else wanted), arguments, used


def _import_required_ops(manifest, export) -> None:
    """Register the graph ops the export holds beyond TensorFlow's own (subword tokens).

    Args:
        manifest: The export's `ExportManifest`.
        export: The export's folder, named in the error.
    """
    if "tensorflow-text" in manifest.requires:
        from seqkeras.data.subword_vocabulary import import_tensorflow_text

        try:
            import_tensorflow_text()
        except ImportError as error:
            raise ConfigError(f"{export}: {error}") from None


def _check_utf8_arguments(inputs: List[str]) -> None:
    """Text arguments must be UTF-8; Python keeps other bytes as lone surrogates."""
    for number, text in enumerate(inputs, start=1):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            byte = ord(text[error.start]) - 0xDC00  # surrogateescape's stand-in for the byte
            shown = f" (byte 0x{byte:02x})" if 0x80 <= byte <= 0xFF else ""
            raise DataError(
                f"input {number}: not valid UTF-8{shown}; inputs must be UTF-8 text."
            ) from None


def _standard_input(inputs: List[str], manifest) -> List[str]:
    """The lines of standard input, for a lone `-` given to an export of text."""
    if list(inputs) != [STDIN]:
        raise ConfigError(
            f"inputs: {STDIN!r} reads every input from standard input; give it alone, "
            f"not with other inputs."
        )
    if not manifest.takes_text:
        raise ConfigError(
            f"inputs: {STDIN!r} reads text inputs from standard input, one a line, but this "
            f"{manifest.kind} export takes files (or numbers); give them as arguments."
        )
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(
            f"standard input, line {line}: not valid UTF-8 (byte 0x{data[error.start]:02x}); "
            f"inputs must be UTF-8 text."
        ) from None
    # One input a line, whatever the line ending; an empty line is an input too.
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    if lines[-1] == "":
        lines.pop()
    if not lines:
        raise ConfigError(
            f"inputs: {STDIN!r} reads the inputs from standard input, one a line, but it held none."
        )
    return lines


def _is_array_file(path: str) -> bool:
    return path.lower().endswith((".npy", ".npz", ".json", ".jsonl", ".ndjson", ".csv", ".txt"))


def _input_shape(described: Optional[dict], served, signature: str) -> list:
    """One example's shape (`None`: any size), as `seqkeras_export.json` records it.

    Exports written before it recorded `input` are asked through their signature.
    """
    if described and "shape" in described:
        return list(described["shape"])[1:]
    spec = served().signatures[signature].structured_input_signature[1]["inputs"]
    return list(spec.shape)[1:]


def _arrays(described, served, signature: str, paths: List[str]):
    from seqkeras.pipeline.commands.prediction_inputs import read_examples

    return read_examples(paths, _input_shape(described, served, signature))


def _windows(described, served, manifest, paths: List[str]):
    from seqkeras.pipeline.commands.prediction_inputs import read_windows

    shape = _input_shape(described, served, "serving_default")
    return read_windows(paths, shape[0] if manifest.window is None else manifest.window, shape[-1])


def _image_files(paths: List[str], max_pixels: int) -> List[bytes]:
    """The contents of the image files `paths`, each checked to decode (and its size bounded)."""
    import pathlib

    from seqkeras.data.images import image_problem

    contents = []
    for path in paths:
        problem = image_problem(pathlib.Path(path), max_pixels)
        if problem is not None:
            raise DataError(
                f"{path}: {problem}; this captioning export takes image files (PNG or JPEG)."
            )
        contents.append(pathlib.Path(path).read_bytes())
    return contents


def _signature_for(recorded, overrides: DecodingOverrides):
    """`(signature, its option inputs, a description)` for the wanted strategy."""
    from seqkeras.decoding import make_strategy

    name = overrides.strategy or overrides.implied() or recorded.name
    given = overrides.options_for(name)
    # The run's own options where the same strategy is asked for, the flags over them.
    options = recorded.get_config() if name == recorded.name else {}
    options.pop("max_length", None)
    options.pop("n_best", None)  # the beam_search signature returns the best hypothesis
    options.update(given)
    try:
        wanted = make_strategy(name, max_length=recorded.max_length, **options)
    except ValueError as error:
        raise ConfigError(f"{_option_of(str(error))}: {error}") from None
    if wanted == recorded:
        return "serving_default", {}, f"{wanted.describe()}, as the run evaluated"
    used = f"{wanted.describe()}; the run evaluated with {recorded.describe()}"
    return wanted.signature, wanted.signature_inputs(), used


def _option_of(message: str) -> str:
    # "Received an invalid value for `width`: ..." -> the command-line option.
    found = re.search(r"invalid value for `(\w+)`", message)
    return DecodingOverrides.flag_of(found.group(1)) if found else "--strategy"


def _as_text(row) -> str:
    if getattr(row, "dtype", None) is not None and row.dtype.kind == "f":  # forecasts
        return " ".join(f"{value:.6g}" for value in row.reshape(-1))
    if getattr(row, "ndim", 0):  # a tagger: one tag per character
        return " ".join(t.decode("utf-8") for t in row if t)
    return row.decode("utf-8")
