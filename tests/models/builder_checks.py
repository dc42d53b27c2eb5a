"""Checks every builder's model must pass, shared by the builder tests."""

import copy

import keras
import numpy as np

from tests.helpers import (
    assert_export_reloads,
    assert_reloads_in_fresh_process,
)


def sparse_loss(from_logits):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


def compile_with_clipnorm(model, loss, learning_rate=0.01):
    model.compile(keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss)
    return model


def assert_loss_falls(model, inputs, targets, *, epochs, factor=0.5, batch_size=32):
    """Fit and require the final epoch's loss below `factor` x the first's."""
    history = model.fit(
        inputs, targets, epochs=epochs, batch_size=batch_size, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < factor * losses[0], losses
    return losses


def assert_model_config_round_trip(model):
    config = model.get_config()
    # from_config consumes the dict it is given.
    clone = keras.Model.from_config(copy.deepcopy(config))
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
