import json
import os
import pathlib

import numpy as np
import pytest
import tensorflow as tf

from seqkeras import export
from seqkeras.decoding import BeamSearch
from seqkeras.decoding import DecodingStep
from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.decoding import generate
from seqkeras.export import ExportCheckError
from seqkeras.export import read_export_info
from seqkeras.export.generation_endpoints import GenerationEndpoints
from seqkeras.export.saved_model_writer import Endpoint
from tests.export.conftest import SOURCE_TEXTS

TEXTS = ["2024-01-31", "31/01", "", "\u00e9\u2603?", "1" * 200]


@pytest.fixture(scope="module")
def served(seq2seq_export):
    model, path = seq2seq_export
    return model, path, tf.saved_model.load(str(path))


def python_ids(vocab, texts):
    ids = [vocab.encode(t) for t in texts]
    padded = np.zeros((len(ids), max(1, max(map(len, ids)))), "int32")
    for row, row_ids in enumerate(ids):
        padded[row, : len(row_ids)] = row_ids
    return padded


def test_signatures_take_raw_strings(served):
    _, path, loaded = served
    assert set(loaded.signatures) == {
        "serving_default",
        "greedy",
        "beam_search",
        "sample",
        "encode",
        "step",
    }
    _, inputs = loaded.signatures["serving_default"].structured_input_signature
    assert inputs == {"inputs": tf.TensorSpec([None], tf.string, name="inputs")}
    outputs = loaded.signatures["serving_default"](inputs=tf.constant(TEXTS))
    assert {"outputs", "scores", "attention", "lengths"} <= set(outputs)
    assert outputs["outputs"].dtype == tf.string
    info = read_export_info(path)
    assert info["kind"] == "seq2seq"
    assert info["decoding"] == {"name": "greedy", "config": {"max_length": 8}}
    decoding_asset = pathlib.Path(path, "assets", "seqkeras_decoding.json")
    assert json.loads(decoding_asset.read_text()) == info["decoding"]


SIGNATURE_CASES = [
    ("serving_default", {}, Greedy(8)),
    ("greedy", {}, Greedy(8)),
    (
        "beam_search",
        {"beam_width": np.int64(3), "length_penalty": np.float32(0.6)},
        BeamSearch(3, 0.6, max_length=8),
    ),
    (
        "sample",
        {"seed": np.int64(5), "temperature": np.float32(1.3), "top_k": np.int64(4)},
        Sampling(1.3, top_k=4, seed=5, max_length=8),
    ),
]


@pytest.mark.parametrize(
    "signature, options, strategy", SIGNATURE_CASES, ids=[case[0] for case in SIGNATURE_CASES]
)
def test_same_outputs_as_in_process_generation(served, vocabs, signature, options, strategy):
    model, _, loaded = served
    step = DecodingStep.from_model(model)
    ids = python_ids(vocabs["source"], TEXTS)
    result = generate(step, ids, strategy, start_id=2, end_id=3)
    served_outputs = loaded.signatures[signature](
        inputs=tf.constant(TEXTS), **{k: tf.constant(v) for k, v in options.items()}
    )
    expected = [vocabs["target"].decode(row).encode() for row in result.tokens.numpy()]
    assert served_outputs["outputs"].numpy().tolist() == expected
    np.testing.assert_allclose(served_outputs["scores"], result.scores, atol=1e-4)


def test_serving_default_decodes_with_the_strategy_it_was_exported_with(
    seq2seq_export, vocabs, tmp_path
):
    model, _ = seq2seq_export
    strategy = BeamSearch(3, 0.8, max_length=6)
    path = export.export_seq2seq(
        model, vocabs["source"], vocabs["target"], tmp_path / "export", strategy=strategy
    )
    loaded = tf.saved_model.load(str(path))
    served = loaded.signatures["serving_default"](inputs=tf.constant(TEXTS))
    beam = loaded.signatures["beam_search"](
        inputs=tf.constant(TEXTS),
        beam_width=tf.constant(3, tf.int64),
        length_penalty=tf.constant(0.8),
    )
    result = generate(
        DecodingStep.from_model(model),
        python_ids(vocabs["source"], TEXTS),
        strategy,
        start_id=2,
        end_id=3,
    )
    expected = [vocabs["target"].decode(row).encode() for row in result.tokens.numpy()]
    assert served["outputs"].numpy().tolist() == expected
    np.testing.assert_array_equal(served["scores"], beam["scores"])
    assert read_export_info(path)["decoding"] == {
        "name": "beam",
        "config": {"max_length": 6, "width": 3, "length_penalty": 0.8, "n_best": 1},
    }


def test_the_export_holds_each_model_variable_once_and_no_optimizer_state(served):
    model, path, _ = served
    assert model.optimizer.variables, "the fixture's model should have optimizer state"
    names = [
        name for name, _ in tf.train.list_variables(os.path.join(path, "variables", "variables"))
    ]
    saved = [n for n in names if n.startswith("_all_variables/") and n.endswith("VARIABLE_VALUE")]
    assert len(saved) == len(model.weights)
    assert not [n for n in names if "optimizer" in n.lower()]


def test_attention_is_batch_target_source_and_rows_sum_to_one(served, vocabs):
    _, _, loaded = served
    texts = ["2024-01-31", "31/01", "1"]
    outputs = loaded.signatures["serving_default"](inputs=tf.constant(texts))
    attention, lengths = outputs["attention"].numpy(), outputs["lengths"].numpy()
    source_lengths = [len(vocabs["source"].encode(t)) for t in texts]
    assert attention.shape == (3, attention.shape[1], max(source_lengths))
    for b in range(3):
        rows = attention[b, : lengths[b]]
        np.testing.assert_allclose(rows[:, : source_lengths[b]].sum(-1), 1.0, atol=1e-5)
        assert np.all(rows[:, source_lengths[b] :] == 0.0)
        assert np.all(attention[b, lengths[b] :] == 0.0)


def test_empty_long_and_unseen_inputs_get_an_answer(served):
    _, _, loaded = served
    for signature, options in [case[:2] for case in SIGNATURE_CASES]:
        outputs = loaded.signatures[signature](
            inputs=tf.constant(TEXTS), **{k: tf.constant(v) for k, v in options.items()}
        )
        assert outputs["outputs"].shape == (len(TEXTS),)
        assert np.all(np.isfinite(outputs["scores"].numpy()))
        assert np.all(outputs["lengths"].numpy() >= 1)
    empty_batch = loaded.signatures["serving_default"](inputs=tf.constant([""]))
    assert empty_batch["outputs"].shape == (1,)


def test_encode_and_step_signatures_reproduce_greedy(served, vocabs):
    _, _, loaded = served
    texts = tf.constant(SOURCE_TEXTS[:2])
    encoded = loaded.signatures["encode"](inputs=texts)
    states = {k: v for k, v in encoded.items() if k.startswith("state_")}
    tokens, ids, done = [], tf.fill([2], 2), np.zeros(2, bool)
    for _ in range(8):
        out = loaded.signatures["step"](
            token_ids=ids, memory=encoded["memory"], memory_mask=encoded["memory_mask"], **states
        )
        states = {k: v for k, v in out.items() if k.startswith("state_")}
        ids = tf.constant(1 + np.argmax(out["logits"].numpy()[:, 1:], -1), tf.int32)
        tokens.append(np.where(done, 0, ids.numpy()))
        done |= ids.numpy() == 3
    expected = [vocabs["target"].decode(row).encode() for row in np.stack(tokens, 1)]
    greedy = loaded.signatures["serving_default"](inputs=texts)["outputs"]
    assert greedy.numpy().tolist() == expected


def test_a_failed_check_leaves_no_export_and_keeps_the_old_one(tmp_path, monkeypatch):
    import keras

    layer = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)
    layer.build((None, 1))
    endpoints = {
        "serving_default": Endpoint(
            lambda x: {"y": layer(x)}, [tf.TensorSpec([None, 1], tf.float32, name="x")]
        )
    }
    path = tmp_path / "export"
    export.write_saved_model(
        path, endpoints, resources=[layer], check=lambda staging: None, info={"kind": "first"}
    )

    def reject(staging):
        export.check.check_reloaded(
            staging,
            "serving_default",
            {"x": np.ones((2, 1), "float32")},
            {"y": np.full((2, 1), 5.0)},
        )

    layer.kernel.assign([[2.0]])
    with pytest.raises(ExportCheckError, match=r"output 'y'.*differs"):
        export.write_saved_model(path, endpoints, resources=[layer], check=reject)
    assert os.listdir(tmp_path) == ["export"]
    assert read_export_info(path) == {"kind": "first", "signatures": ["serving_default"]}


@pytest.mark.slow
def test_export_seq2seq_fails_when_reloaded_outputs_differ(
    tmp_path, monkeypatch, seq2seq_export, vocabs
):
    model, _ = seq2seq_export
    original = GenerationEndpoints.reference

    def wrong_scores(self, *args):
        expected = original(self, *args)
        return {**expected, "scores": expected["scores"] + 1.0}

    monkeypatch.setattr(GenerationEndpoints, "reference", wrong_scores)
    with pytest.raises(ExportCheckError, match=r"'scores'.*differs"):
        export.export_seq2seq(
            model, vocabs["source"], vocabs["target"], tmp_path / "export", strategy=Greedy(4)
        )
    assert os.listdir(tmp_path) == []


def test_invalid_arguments(seq2seq_export, vocabs, tmp_path):
    model, _ = seq2seq_export
    with pytest.raises(ValueError, match=r"`max_source_length`.*0"):
        export.export_seq2seq(
            model,
            vocabs["source"],
            vocabs["target"],
            tmp_path / "x",
            strategy=Greedy(4),
            max_source_length=0,
        )
    with pytest.raises(ValueError, match=r"`strategy`.*'beam'"):
        export.export_seq2seq(
            model, vocabs["source"], vocabs["target"], tmp_path / "x", strategy="beam"
        )
    assert not (tmp_path / "x").exists()
