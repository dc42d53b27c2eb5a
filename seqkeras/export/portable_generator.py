"""Portable exports of a seq2seq model: its encoder and one decoder step as ONNX files.

A generating export decodes in a loop (greedy, beam search, sampling) around
string lookups, which ONNX has no ops for. What ports is the numeric part,
the pair the SavedModel's `encode` and `step` signatures serve:

- `encoder.onnx`: source token ids `(batch, steps)` in; the memory, its
  mask and the decoder's initial states out;
- `decoder_step.onnx`: one step: the previous token ids `(batch,)`, the
  memory, its mask and the states in; the next token's logits, the
  attention weights and the new states out.

The caller runs the decoding loop: feed `<start>` (id 2), then each step's
chosen token, passing the states back in, until `<end>` (id 3); id 0 is
padding, which the SavedModel's decoding never chooses. The source
and target vocabularies are written beside the files. LiteRT is not
offered: the encoder's loop converts to TFLite built-in ops only for a
batch of one, and the step's masked attention was not checked there.
"""

import os
from typing import Dict
from typing import List
from typing import Sequence

import keras
import numpy as np

from seqkeras.data import Vocabulary
from seqkeras.export.check import ExportCheckError
from seqkeras.export.portable import describe_vocabulary
from seqkeras.export.portable import export_onnx
from seqkeras.export.portable import largest_difference
from seqkeras.export.portable import portable_trace
from seqkeras.export.portable import run_onnx_session
from seqkeras.models import build_inference_models

#: The formats a seq2seq export writes beside its SavedModel.
GENERATOR_FORMATS = ("onnx",)
ENCODER_FILE = "encoder.onnx"
STEP_FILE = "decoder_step.onnx"
#: Decoder steps the check compares along the greedy path of its inputs.
CHECK_STEPS = 8
#: How the caller drives the two files, as `seqkeras_export.json` says it.
DECODING = (
    "run encoder on the source ids; then decoder_step with token_ids <start> (the target "
    "vocabulary's start_id) and the encoder's memory, memory_mask and states, then again "
    "with each step's chosen token and the states it returned, until <end> (end_id); id 0 "
    "is padding and is never chosen (its logit taken as -inf), as the SavedModel decodes"
)


def write_portable_generator(
    model: keras.Model,
    source_vocab: Vocabulary,
    target_vocab: Vocabulary,
    directory: str,
    formats: Sequence[str],
    check_ids: np.ndarray,
) -> Dict[str, dict]:
    """Write the encoder and decoder step of a seq2seq `model` as ONNX into `directory`.

    Each file is loaded in onnxruntime and compared with the Keras encoder
    and step on `check_ids` (source ids, 0-padded): the encoder's outputs,
    then the step's along `CHECK_STEPS` steps of the greedy path, each side
    fed its own states, to 1e-4.

    Returns:
        What `seqkeras_export.json` records under `portable`.

    Raises:
        ValueError: for a format other than `GENERATOR_FORMATS`.
        seqkeras.export.ExportCheckError: if a file disagrees with the model.
    """
    unsupported = [f for f in formats if f not in GENERATOR_FORMATS]
    if unsupported:
        raise ValueError(
            f"Received an invalid value for `formats`: expected {list(GENERATOR_FORMATS)} "
            f"for a seq2seq model, got {list(formats)}."
        )
    if not formats:
        return {}
    encoder, step = build_inference_models(model)
    check_ids = np.asarray(check_ids, "int32")
    start = np.full((len(check_ids),), target_vocab.start_id, "int32")
    paths = {"encoder": os.path.join(directory, ENCODER_FILE)}
    paths["decoder_step"] = os.path.join(directory, STEP_FILE)
    with portable_trace(model, unroll=False):
        encoded = [keras.ops.convert_to_numpy(t) for t in encoder(check_ids)]
        step([start, *encoded])  # a model is exported once it has been called
        export_onnx(encoder, paths["encoder"])
        export_onnx(step, paths["decoder_step"])
    names = _check(paths, step, check_ids, encoded, start)
    for name, vocabulary in (("source", source_vocab), ("target", target_vocab)):
        vocabulary.save(os.path.join(directory, _vocabulary_file(name, vocabulary)))
    return {
        "onnx": {
            "files": {
                "encoder": _describe(
                    paths["encoder"], encoder, names["encoder"], ["memory", "memory_mask"]
                ),
                "decoder_step": _describe(
                    paths["decoder_step"], step, names["decoder_step"], ["logits", "alignments"]
                ),
            },
            "vocabularies": {
                name: describe_vocabulary(vocabulary, _vocabulary_file(name, vocabulary))
                for name, vocabulary in (("source", source_vocab), ("target", target_vocab))
            },
            "start_id": target_vocab.start_id,
            "end_id": target_vocab.end_id,
            "decoding": DECODING,
            "batch": "any size",
        }
    }


def _check(paths, step, check_ids, encoded, start) -> Dict[str, dict]:
    """Compare both files with the Keras models; return the names onnxruntime gave.

    `encoded` is what the Keras encoder gave for `check_ids`.
    """
    expected = encoded
    got, names = run_onnx_session(paths["encoder"], [check_ids])
    _compare(ENCODER_FILE, got, expected, "on the check inputs")
    names = {"encoder": names}
    ours, theirs, tokens = expected, got, start
    for index in range(CHECK_STEPS):
        expected = [keras.ops.convert_to_numpy(t) for t in step([tokens, *ours])]
        got, names["decoder_step"] = run_onnx_session(paths["decoder_step"], [tokens, *theirs])
        _compare(STEP_FILE, got, expected, f"at step {index + 1} of the greedy path")
        # The token decoding feeds back: never padding (id 0), as `greedy` chooses.
        tokens = expected[0][:, 1:].argmax(-1).astype("int32") + 1
        ours = [*ours[:2], *expected[2:]]
        theirs = [*theirs[:2], *got[2:]]
    return names


def _compare(file: str, got: List[np.ndarray], expected: List[np.ndarray], where: str) -> None:
    for index, (outputs, wanted) in enumerate(zip(got, expected)):
        if outputs.shape != wanted.shape or not np.allclose(outputs, wanted, atol=1e-4):
            raise ExportCheckError(
                f"Export check failed: {file} gives output {index} "
                f"{largest_difference(outputs, wanted)} {where}."
            )


def _describe(path: str, model: keras.Model, names: dict, first_outputs: List[str]) -> dict:
    """A file's entry: its inputs and outputs by onnxruntime's name, with what each is.

    The outputs are `first_outputs`, then the decoder's states (`state_0`, ...).
    """
    states = len(model.outputs) - len(first_outputs)
    outputs = first_outputs + [f"state_{i}" for i in range(states)]
    return {
        "file": os.path.basename(path),
        "inputs": [
            {"name": name, "meaning": t.name, "dtype": t.dtype, "shape": list(t.shape)}
            for name, t in zip(names["inputs"], model.inputs)
        ],
        "outputs": [
            {"name": name, "meaning": meaning, "dtype": t.dtype, "shape": list(t.shape)}
            for name, meaning, t in zip(names["outputs"], outputs, model.outputs)
        ],
    }


def _vocabulary_file(name: str, vocabulary: Vocabulary) -> str:
    return f"vocabulary.{name}{vocabulary.file_suffix}"
