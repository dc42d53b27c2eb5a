import numpy as np
import pytest
import tensorflow as tf

from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.decoding import generate
from seqkeras.decoding import language_model_step
from seqkeras.models import build_many_to_many

VOCAB, START, END = 12, 2, 3
PRIMES = np.array([[5, 6, 7, 8], [9, 0, 0, 0], [4, 10, 0, 0]], "int32")


def language_model(cell="lstm", **kwargs):
    return build_many_to_many(
        VOCAB, vocab_size=VOCAB, embedding_dim=6, units=8, num_layers=2, cell=cell, **kwargs
    )


@pytest.mark.parametrize(
    "cell, kwargs",
    [
        ("lstm", {}),
        ("vanilla", {}),
        ("gru", {}),
        ("lstm", {"stateful": True, "batch_size": 3}),
    ],
)
def test_priming_carries_the_state_of_the_whole_prime(cell, kwargs):
    # A stateful LM (fixed batch, state carried across calls) works too: the
    # step carries its own state and takes any batch size.
    model = language_model(cell, **kwargs)
    step = language_model_step(model)
    states, constants, first_ids = step.start(tf.constant(PRIMES))
    logits, alignments, _ = step(first_ids, states, constants)
    lengths = (PRIMES != 0).sum(1)
    np.testing.assert_array_equal(first_ids, PRIMES[np.arange(3), lengths - 1])
    expected = model.predict(PRIMES, verbose=0)[np.arange(3), lengths - 1]
    np.testing.assert_allclose(tf.nn.softmax(logits), expected, atol=1e-5)
    assert alignments.shape == (3, 0)


def test_greedy_generation_feeds_each_character_back():
    model = language_model()
    step = language_model_step(model)
    result = generate(step, PRIMES, Greedy(5), start_id=START, end_id=END)
    for b, prime in enumerate(PRIMES):
        text = [int(i) for i in prime if i]
        for t in range(int(result.lengths[b])):
            probs = model.predict(np.array([text]), verbose=0)[0, -1]
            best = 1 + int(np.argmax(probs[1:]))  # padding is never generated
            assert result.tokens[b, t] == best
            text.append(best)


def test_sampling_is_seeded_and_an_empty_prime_works():
    step = language_model_step(language_model())
    primes = np.concatenate([PRIMES, np.zeros((1, 4), "int32")])
    first = generate(step, primes, Sampling(0.8, seed=3, max_length=6), start_id=START, end_id=END)
    again = generate(step, primes, Sampling(0.8, seed=3, max_length=6), start_id=START, end_id=END)
    np.testing.assert_array_equal(first.tokens, again.tokens)
    assert first.lengths[3] >= 1


def test_rejects_models_that_are_not_token_language_models():
    with pytest.raises(ValueError, match=r"`model`.*encoder_0"):
        language_model_step(language_model(bidirectional=True))
    with pytest.raises(ValueError, match=r"`model`.*'vectors'"):
        language_model_step(build_many_to_many(3, input_dim=4, units=4, name="vectors"))
    with pytest.raises(ValueError, match=r"`outputs`.*sigmoid"):
        language_model_step(language_model(output_activation="sigmoid"))
