"""Checks every builder's model must pass, shared by the builder tests."""

import copy
import pickle
from pathlib import Path

import keras
import numpy as np

from tests.helpers import assert_export_reloads
from tests.helpers import assert_reloads_in_fresh_process
from tests.helpers import run_python

REPOSITORY = Path(__file__).resolve().parents[2]


def sparse_loss(from_logits):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


def compile_with_clipnorm(model, loss, learning_rate=0.01):
    model.compile(keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss)
    return model


def assert_loss_falls(model, inputs, targets, *, epochs, factor=0.5, batch_size=32):
    """Fit and require the final epoch's loss below `factor` x the first's."""
    history = model.fit(inputs, targets, epochs=epochs, batch_size=batch_size, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < factor * losses[0], losses
    return losses


def assert_model_config_round_trip(model):
    config = model.get_config()
    # Through the registered class, as `load_model` goes; from_config
    # consumes the dict it is given.
    clone = keras.saving.deserialize_keras_object(
        copy.deepcopy(keras.saving.serialize_keras_object(model))
    )
    assert type(clone) is type(model)
    assert clone.get_config() == config
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]


def assert_saves_and_exports(model, inputs, tmp_path):
    assert_model_config_round_trip(model)
    assert_reloads_in_fresh_process(model, inputs, tmp_path)
    assert_export_reloads(model, inputs, tmp_path)


def recurrent_kernels(model):
    return [w for w in model.weights if w.path.endswith("recurrent_kernel")]


def assert_distinct_layer_weights(model, expected_count):
    kernels = recurrent_kernels(model)
    assert len(kernels) == expected_count
    assert len({w.path for w in kernels}) == expected_count
    values = [np.asarray(w.value).ravel()[:5] for w in kernels]
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if values[i].shape == values[j].shape:
                assert not np.allclose(values[i], values[j])


def run_inference_models(model, source, token_ids):
    """Encode `source`, then feed `token_ids` one column per step.

    Returns every array produced: memory, mask, initial states, and each
    step's logits, alignments and new states.
    """
    encoder, step = model.inference_models()
    memory, mask, *states = encoder.predict(source, verbose=0)
    outputs = [memory, mask, *states]
    for t in range(token_ids.shape[1]):
        logits, alignments, *states = step.predict(
            [token_ids[:, t], memory, mask, *states], verbose=0
        )
        outputs += [logits, alignments, *states]
    return outputs


def assert_inference_models_reload_in_fresh_process(model, source, token_ids, tmp_path):
    """`inference_models()` of the model loaded in a new interpreter match.

    There the models must also be the same pair at every call, and share
    the reloaded model's variables.
    """
    model_path = tmp_path / "generator.keras"
    inputs_path = tmp_path / "generator_inputs.pkl"
    model.save(model_path)
    inputs_path.write_bytes(pickle.dumps((source, token_ids)))
    expected = run_inference_models(model, source, token_ids)
    result = run_python(
        f"""
        import pickle
        import keras, numpy as np, seqkeras
        from tests.models.builder_checks import run_inference_models
        source, token_ids = pickle.loads(open(r"{inputs_path}", "rb").read())
        model = keras.saving.load_model(r"{model_path}")
        assert type(model) is {type(model).__module__}.{type(model).__name__}, type(model)
        pair = encoder, step = model.inference_models()
        assert model.inference_models() is pair
        variables = {{id(v) for v in model.weights}}
        assert {{id(v) for v in encoder.weights + step.weights}} <= variables
        outputs = run_inference_models(model, source, token_ids)
        np.savez(r"{tmp_path}/generator_outputs.npz", *outputs)
        """,
        cwd=REPOSITORY,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    got = np.load(tmp_path / "generator_outputs.npz")
    assert len(got.files) == len(expected)
    for i, want in enumerate(expected):
        np.testing.assert_allclose(got[f"arr_{i}"], want, atol=1e-6, rtol=0)


def assert_gru_model_trains_one_step(model, inputs, targets, loss):
    """The model's recurrent layers are GRUs (kernels `(H, 3H)`), and one
    training step gives a finite loss and moves every recurrent kernel."""
    kernels = recurrent_kernels(model)
    assert kernels and all(w.shape[1] == 3 * w.shape[0] for w in kernels), [
        (w.path, w.shape) for w in kernels
    ]
    before = [np.array(w.value) for w in kernels]
    compile_with_clipnorm(model, loss, 0.05)
    loss_value = model.train_on_batch(inputs, targets)
    assert np.isfinite(loss_value)
    for kernel, old in zip(kernels, before):
        assert not np.allclose(np.asarray(kernel.value), old), kernel.path
