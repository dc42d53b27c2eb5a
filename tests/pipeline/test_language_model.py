"""Truncated backpropagation through time: state carried, then reset."""

import keras
import numpy as np

from seqkeras.models import build_many_to_many
from seqkeras.pipeline.tasks.language_model import ResetStates
from seqkeras.pipeline.tasks.language_model import reset_stateful_layers

VOCAB, BATCH = 7, 2


def stateful_lm(window):
    return build_many_to_many(
        VOCAB,
        vocab_size=VOCAB,
        embedding_dim=4,
        units=8,
        num_layers=2,
        stateful=True,
        batch_size=BATCH,
        sequence_length=window,
    )


def test_one_long_window_equals_several_short_ones():
    stream = np.random.default_rng(0).integers(1, VOCAB, size=(BATCH, 12)).astype("int32")
    long_model = stateful_lm(12)
    short_model = stateful_lm(4)
    short_model.set_weights(long_model.get_weights())
    whole = long_model.predict_on_batch(stream)
    pieces = [short_model.predict_on_batch(stream[:, k : k + 4]) for k in range(0, 12, 4)]
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), whole, atol=1e-5)
    # Without the carried state the later windows differ: the check can fail.
    reset_stateful_layers(short_model)
    restarted = short_model.predict_on_batch(stream[:, 4:8])
    assert np.abs(restarted - whole[:, 4:8]).max() > 1e-4


def test_states_reset_at_every_epoch():
    model = stateful_lm(4)
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(1).integers(1, VOCAB, size=(3 * BATCH, 4)).astype("int32")
    seen = []

    class RecordState(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0:
                layer = self.model.get_layer("encoder_0")
                seen.append(float(np.abs(np.asarray(layer.states[0])).sum()))

    model.fit(
        x,
        x,
        batch_size=BATCH,
        epochs=3,
        shuffle=False,
        verbose=0,
        callbacks=[ResetStates(), RecordState()],
    )
    assert seen == [0.0, 0.0, 0.0]
    # ...while within the epoch the state was carried (not zero at the end).
    assert np.abs(np.asarray(model.get_layer("encoder_0").states[0])).sum() > 0
