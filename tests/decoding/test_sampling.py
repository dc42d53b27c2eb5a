import numpy as np
import pytest
import tensorflow as tf

from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.decoding import generate
from seqkeras.decoding import sample
from seqkeras.demo import END
from seqkeras.demo import START
from seqkeras.demo import reverse_task

# Id 0 is padding: never drawn, whatever its logit.
LOGITS = np.array([5.0, 2.0, 1.0, 0.0, -1.0], "float32")


def fixed_step(token_ids, states, constants=()):
    """A step whose next-token distribution is always softmax(LOGITS)."""
    batch = tf.shape(token_ids)[0]
    return tf.tile(LOGITS[None], [batch, 1]), tf.zeros([batch, 0]), states


def first_token_frequencies(**kwargs):
    states = tf.zeros([4000, 1])
    result = tf.function(
        lambda s: sample(fixed_step, s, start_ids=1, end_id=4, max_length=1, **kwargs)
    )(states)
    return np.bincount(result.tokens.numpy()[:, 0], minlength=5)[1:] / 4000


@pytest.fixture
def source():
    return reverse_task(n=16, max_length=4, seed=11)[0]["source_ids"]


def run(step, source, **kwargs):
    return generate(step, source, Sampling(**kwargs, max_length=6), start_id=START, end_id=END)


def test_same_seed_same_sequences(reverser, source):
    _, step = reverser
    first = run(step, source, temperature=1.5, seed=42)
    again = run(step, source, temperature=1.5, seed=42)
    other = run(step, source, temperature=1.5, seed=43)
    np.testing.assert_array_equal(first.tokens, again.tokens)
    np.testing.assert_array_equal(first.scores, again.scores)
    assert not np.array_equal(first.tokens, other.tokens)


def test_low_temperature_and_top_one_give_greedy(reverser, source):
    _, step = reverser
    greedy = generate(step, source, Greedy(6), start_id=START, end_id=END)
    for kwargs in ({"temperature": 1e-4}, {"top_k": 1}):
        sampled = run(step, source, seed=5, **kwargs)
        np.testing.assert_array_equal(sampled.tokens, greedy.tokens)
        np.testing.assert_allclose(sampled.scores, greedy.scores, atol=1e-5)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_draws_follow_the_tempered_softmax(temperature):
    logits = LOGITS[1:]
    expected = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
    frequencies = first_token_frequencies(temperature=temperature, seed=1)
    np.testing.assert_allclose(frequencies, expected, atol=0.03)


def test_top_k_draws_only_the_k_best():
    frequencies = first_token_frequencies(top_k=2, seed=1)
    expected = np.exp(LOGITS[1:3]) / np.exp(LOGITS[1:3]).sum()
    assert frequencies[2] == frequencies[3] == 0.0
    np.testing.assert_allclose(frequencies[:2], expected, atol=0.03)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"temperature": 0.0}, r"`temperature`.*0.0"),
        ({"top_k": 0}, r"`top_k`.*0"),
        ({"seed": -1}, r"`seed`.*-1"),
    ],
)
def test_invalid_arguments(reverser, kwargs, message):
    _, step = reverser
    with pytest.raises(ValueError, match=message):
        run(step, np.ones((1, 3), "int32"), **kwargs)


def test_a_seed_given_to_generate_replaces_the_strategy_seed(reverser, source):
    _, step = reverser
    strategy = Sampling(1.5, seed=42, max_length=6)
    own = generate(step, source, strategy, start_id=START, end_id=END)
    replaced = generate(step, source, strategy, start_id=START, end_id=END, seed=43)
    np.testing.assert_array_equal(
        replaced.tokens, run(step, source, temperature=1.5, seed=43).tokens
    )
    assert not np.array_equal(own.tokens, replaced.tokens)


def test_tensor_temperature_and_top_k_equal_python_ones():
    python = first_token_frequencies(temperature=0.7, top_k=2, seed=3)
    tensors = first_token_frequencies(
        temperature=tf.constant(0.7), top_k=tf.constant(2, tf.int64), seed=3
    )
    np.testing.assert_array_equal(python, tensors)
    # A top_k tensor of 0 draws from the whole vocabulary, as None does.
    np.testing.assert_array_equal(
        first_token_frequencies(top_k=tf.constant(0, tf.int64), seed=3),
        first_token_frequencies(seed=3),
    )
