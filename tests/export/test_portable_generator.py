"""A seq2seq export's encoder and decoder step as ONNX files (`formats=["onnx"]`).

The caller's greedy loop over the two files in onnxruntime, with the
vocabulary files beside them, must answer what the SavedModel's `greedy`
signature answers for the same strings; the export checks the files against
the Keras models along the greedy path before it is kept.
"""

import json
import pathlib

import numpy as np
import pytest
import tensorflow as tf

from seqkeras import export
from seqkeras.decoding import Greedy
from seqkeras.export.portable_generator import CHECK_STEPS
from seqkeras.models import build_seq2seq

MAX_LENGTH = 12
TEXTS = ["2024-01-31", "31/01", "", "\u00e9\u2603?", "1" * 60]


def onnx_greedy(path, texts, max_length):
    """Greedy decoding as a user without TensorFlow runs it: onnxruntime and the files."""
    import onnxruntime

    info = json.loads((path / "seqkeras_export.json").read_text())["portable"]["onnx"]
    encoder, step = (
        onnxruntime.InferenceSession(str(path / info["files"][name]["file"]))
        for name in ("encoder", "decoder_step")
    )

    def tokens(name):  # line n + 2 of a vocabulary file holds the token of id n
        lines = (path / info["vocabularies"][name]["file"]).read_text("utf-8").split("\n")
        return lines[1:-1]

    ids = {token: i for i, token in enumerate(tokens("source"))}
    target = tokens("target")
    source = np.zeros((len(texts), max(1, max(map(len, texts)))), "int32")
    for row, text in enumerate(texts):
        source[row, : len(text)] = [ids.get(char, 1) for char in text]
    [source_name] = [i["name"] for i in info["files"]["encoder"]["inputs"]]
    memory, memory_mask, *states = encoder.run(None, {source_name: source})
    step_names = [i["name"] for i in info["files"]["decoder_step"]["inputs"]]
    token = np.full(len(texts), info["start_id"], "int32")
    answers, done = [[] for _ in texts], np.zeros(len(texts), bool)
    for _ in range(max_length):
        inputs = dict(zip(step_names, [token, memory, memory_mask, *states]))
        logits, _, *states = step.run(None, inputs)
        logits[:, 0] = -np.inf  # id 0 is padding: never generated
        token = logits.argmax(-1).astype("int32")
        for row in np.flatnonzero(~done):
            done[row] = token[row] == info["end_id"]
            if not done[row] and token[row] != info["start_id"]:
                answers[row].append(target[token[row]])
    return ["".join(answer) for answer in answers]


@pytest.fixture(scope="module")
def onnx_export(tmp_path_factory, vocabs):
    model = build_seq2seq(vocabs["source"].size, vocabs["target"].size, embedding_dim=4, units=8)
    path = export.export_seq2seq(
        model,
        vocabs["source"],
        vocabs["target"],
        tmp_path_factory.mktemp("seq2seq_onnx") / "export",
        strategy=Greedy(MAX_LENGTH),
        formats=["onnx"],
    )
    return model, pathlib.Path(path)


def test_the_files_and_what_the_export_info_says_of_them(onnx_export, vocabs):
    _, path = onnx_export
    assert {"encoder.onnx", "decoder_step.onnx", "vocabulary.source.txt"} <= {
        p.name for p in path.iterdir()
    }
    info = json.loads((path / "seqkeras_export.json").read_text())["portable"]["onnx"]
    encoder, step = info["files"]["encoder"], info["files"]["decoder_step"]
    assert [i["meaning"] for i in encoder["inputs"]] == ["source_ids"]
    # The decoder's LSTM h and c, and the attention vector it feeds back.
    assert [o["meaning"] for o in encoder["outputs"]] == [
        "memory",
        "memory_mask",
        "state_0",
        "state_1",
        "state_2",
    ]
    assert [i["meaning"] for i in step["inputs"]] == [
        "token_ids",
        "memory",
        "memory_mask",
        "state_0",
        "state_1",
        "state_2",
    ]
    assert [o["meaning"] for o in step["outputs"]][:2] == ["logits", "alignments"]
    assert step["outputs"][0]["shape"] == [None, vocabs["target"].size]
    assert (info["start_id"], info["end_id"], info["batch"]) == (2, 3, "any size")
    assert info["vocabularies"]["target"]["file"] == "vocabulary.target.txt"


def test_a_greedy_loop_over_the_onnx_files_answers_as_the_saved_model(onnx_export):
    _, path = onnx_export
    served = tf.saved_model.load(str(path)).signatures["greedy"](inputs=tf.constant(TEXTS))
    expected = [o.decode("utf-8") for o in served["outputs"].numpy()]
    assert onnx_greedy(path, TEXTS, MAX_LENGTH) == expected
    # An untrained model's answers differ by input and run past the check's steps:
    # the loop is compared where the files had not been checked step by step.
    assert len(set(expected)) > 1 and max(map(len, expected)) > CHECK_STEPS


def test_formats_other_than_onnx_are_refused_before_writing(vocabs, tmp_path):
    model = build_seq2seq(vocabs["source"].size, vocabs["target"].size, units=4)
    with pytest.raises(
        ValueError, match=r"expected \['onnx'\] for a seq2seq model, got \['litert'\]"
    ):
        export.export_seq2seq(
            model,
            vocabs["source"],
            vocabs["target"],
            tmp_path / "export",
            strategy=Greedy(4),
            formats=["litert"],
        )
    assert not (tmp_path / "export").exists()
