"""Models the decoding tests share: a seq2seq that learned to reverse, a toy RNN step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.decoding import DecodingStep
from seqkeras.demo import VOCAB
from seqkeras.demo import reverse_task
from seqkeras.models import build_seq2seq


@pytest.fixture(scope="package")
def reverser():
    """A two-layer-decoder seq2seq trained briefly on the reverse task.

    Trained just enough that its sequences end at different steps, which the
    stopping logic needs; nothing in the tests depends on it being good.
    """
    keras.utils.set_random_seed(7)
    inputs, target = reverse_task(n=256, max_length=4)
    model = build_seq2seq(
        VOCAB, VOCAB, embedding_dim=8, units=16, decoder_layers=2, bidirectional_encoder=False
    )
    model.compile(
        keras.optimizers.Adam(0.02, clipnorm=1.0),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(inputs, target, epochs=4, batch_size=64, verbose=0)
    return model, DecodingStep.from_model(model)


class ToyRNN:
    """A tiny RNN language model written twice: in TensorFlow and in NumPy.

    Its state is a nested dict, so beam search has to tile and reorder a
    structure, and its NumPy twin lets the tests enumerate every sequence.
    """

    def __init__(self, vocab=5, units=5, seed=1):
        rng = np.random.default_rng(seed)
        self.vocab, self.units = vocab, units
        self.embed = rng.normal(size=(vocab, units)).astype("float32")
        self.w = rng.normal(size=(units, units)).astype("float32")
        self.out = rng.normal(size=(units, vocab)).astype("float32")

    def initial_states(self, batch, seed=1):
        h = np.random.default_rng(seed).normal(size=(batch, self.units))
        return {"rnn": (tf.constant(h, tf.float32),), "steps": tf.zeros([batch])}

    def __call__(self, token_ids, states, constants=()):
        h = tf.tanh(tf.matmul(states["rnn"][0], self.w) + tf.gather(self.embed, token_ids))
        logits = tf.matmul(h, self.out)
        new_states = {"rnn": (h,), "steps": states["steps"] + 1}
        return logits, tf.zeros([tf.shape(h)[0], 0]), new_states

    def numpy_step(self, token, h):
        h = np.tanh(h @ self.w + self.embed[token])
        logits = (h @ self.out).astype("float64")
        logits[0] = -np.inf  # padding is never generated
        log_probs = logits - np.log(np.exp(logits - logits.max()).sum()) - logits.max()
        return log_probs, h


@pytest.fixture
def toy():
    return ToyRNN()
