"""Exports hold no device kernel: no `Cudnn*` op, no XLA-compiled function.

A model whose layers asked for cuDNN (which this CPU cannot run, so
outside an export they refuse) and a model that trained on the
XLA-compiled loops are exported with seqkeras's SavedModel writer; the
graphs are read op by op, and the export is reloaded in a fresh process
with GPUs hidden, where it answers as the reference loop with the same
weights to 1e-5.
"""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

from seqkeras.export.saved_model_writer import Endpoint
from seqkeras.export.saved_model_writer import write_saved_model
from seqkeras.layers import GRU
from seqkeras.layers import LSTM
from tests import helpers
from tests.layers import rnn_testing as rt

B, T, D, H = 3, 7, 4, 5


def _model(implementation):
    inputs = keras.Input((None, D))
    x = keras.layers.Masking()(inputs)
    x = LSTM(H, return_sequences=True, implementation=implementation)(x)
    x = keras.layers.Bidirectional(GRU(H, implementation=implementation.replace("xla", "auto")))(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def _ops_and_attributes(export_path):
    graph = saved_model_pb2.SavedModel()
    graph.ParseFromString((export_path / "saved_model.pb").read_bytes())
    nodes = []
    for meta_graph in graph.meta_graphs:
        nodes += list(meta_graph.graph_def.node)
        for function in meta_graph.graph_def.library.function:
            nodes += list(function.node_def)
            nodes.append(function)
    ops = {getattr(node, "op", "") for node in nodes}
    compiled = [
        node for node in nodes if "_XlaMustCompile" in node.attr and node.attr["_XlaMustCompile"].b
    ]
    return ops, compiled


def _inputs():
    x = rt.random_inputs((B, T, D))
    x[0, 5:] = 0.0  # padding the Masking layer masks
    return x


def _export(model, path):
    spec = tf.TensorSpec((None, None, D), tf.float32)
    endpoint = Endpoint(lambda x: {"outputs": model(x, training=False)}, [spec])
    return write_saved_model(str(path), {"serving_default": endpoint}, resources=[model])


def _assert_device_free_and_equal_to_reference(model, tmp_path):
    export_path = tmp_path / "export"
    _export(model, export_path)
    ops, compiled = _ops_and_attributes(export_path)
    assert "While" in ops or "StatelessWhile" in ops  # the loop is in the graph
    assert not [op for op in ops if op.startswith("Cudnn")]
    assert not compiled
    reference = _model("reference")
    reference.set_weights(model.get_weights())
    x = _inputs()
    want = np.asarray(reference(x, training=False))
    np.save(tmp_path / "x.npy", x)
    result = helpers.run_python(
        f"""
        import json
        import numpy as np, tensorflow as tf
        assert not tf.config.list_logical_devices("GPU")
        served = tf.saved_model.load(r"{export_path}").signatures["serving_default"]
        x = np.load(r"{tmp_path / "x.npy"}")
        print(json.dumps(served(x=tf.constant(x))["outputs"].numpy().tolist()))
        """,
        env_extra={"CUDA_VISIBLE_DEVICES": ""},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    got = np.array(json.loads(result.stdout.splitlines()[-1]))
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)


def test_an_export_of_layers_that_asked_for_cudnn_holds_no_cudnn_op(tmp_path):
    model = _model("cudnn")
    rt.randomize_weights(model)
    # Outside an export the layers would run cuDNN, which needs a GPU.
    with pytest.raises(ValueError, match="cannot run 'cudnn': cudnn needs a GPU"):
        model(_inputs())
    _assert_device_free_and_equal_to_reference(model, tmp_path)


def test_an_export_of_a_model_trained_on_the_xla_loops_holds_no_compiled_function(tmp_path):
    model = _model("xla")
    rt.randomize_weights(model)
    model.compile("adam", "mse")
    model.fit(_inputs(), np.zeros((B, 2), "float32"), epochs=1, verbose=0)
    assert model.layers[2].kernel_choice.kernel == "xla"
    _assert_device_free_and_equal_to_reference(model, tmp_path)
