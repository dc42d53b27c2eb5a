import numpy as np
import pytest
import tensorflow as tf

from seqkeras.decoding import BeamSearch
from seqkeras.decoding import Greedy
from seqkeras.decoding import beam_search
from seqkeras.decoding import generate
from seqkeras.decoding import greedy_search
from seqkeras.decoding import length_penalty
from seqkeras.demo import END
from seqkeras.demo import START
from seqkeras.demo import reverse_task

TOY_END, TOY_MAX = 1, 4


def all_sequences(toy, h):
    """Every sequence the toy can emit from state `h`, with its log-probability."""
    found = []

    def extend(prefix, token, h, total):
        log_probs, h = toy.numpy_step(token, h)
        for v in range(1, toy.vocab):
            sequence, score = prefix + [v], total + log_probs[v]
            if v == TOY_END or len(sequence) == TOY_MAX:
                found.append((score, sequence))
            else:
                extend(sequence, v, h, score)

    extend([], 0, h, 0.0)
    return sorted(found, key=lambda item: -item[0])


def run_toy(toy, decoder, batch=8, **kwargs):
    states = toy.initial_states(batch)
    run = tf.function(
        lambda s: decoder(toy, s, start_ids=0, end_id=TOY_END, max_length=TOY_MAX, **kwargs)
    )
    return run(states), states["rnn"][0].numpy()


def test_width_one_equals_greedy(reverser):
    _, step = reverser
    source = reverse_task(n=12, max_length=4, seed=5)[0]["source_ids"]
    greedy = generate(step, source, Greedy(6), start_id=START, end_id=END)
    # With one hypothesis the length penalty divides every candidate alike,
    # so even alpha > 0 must pick greedy's tokens.
    beam = generate(step, source, BeamSearch(1, 0.6, max_length=6), start_id=START, end_id=END)
    np.testing.assert_array_equal(beam.tokens, greedy.tokens)
    np.testing.assert_array_equal(beam.lengths, greedy.lengths)
    np.testing.assert_allclose(beam.alignments, greedy.alignments, atol=1e-6)
    np.testing.assert_allclose(
        beam.scores * length_penalty(beam.lengths, 0.6), greedy.scores, atol=1e-4
    )


@pytest.mark.parametrize("width", [2, 5])
def test_wider_beam_never_scores_lower_than_greedy(reverser, toy, width):
    _, step = reverser
    source = reverse_task(n=16, max_length=4, seed=9)[0]["source_ids"]
    greedy = generate(step, source, Greedy(6), start_id=START, end_id=END)
    beam = generate(step, source, BeamSearch(width, max_length=6), start_id=START, end_id=END)
    assert np.all(beam.scores.numpy() >= greedy.scores.numpy() - 1e-4)
    toy_greedy, _ = run_toy(toy, greedy_search, batch=32)
    toy_beam, _ = run_toy(toy, beam_search, batch=32, beam_width=width)
    assert np.all(toy_beam.scores.numpy() >= toy_greedy.scores.numpy() - 1e-4)


def test_finds_the_exact_best_sequence_of_a_toy_model(toy):
    beam, h = run_toy(toy, beam_search, beam_width=(toy.vocab - 1) ** (TOY_MAX - 1), n_best=3)
    greedy, _ = run_toy(toy, greedy_search)
    greedy_missed = 0
    for b in range(len(h)):
        best = all_sequences(toy, h[b])[:3]
        for rank, (score, sequence) in enumerate(best):
            length = int(beam.lengths[b, rank])
            assert beam.tokens[b, rank, :length].numpy().tolist() == sequence
            assert beam.scores[b, rank].numpy() == pytest.approx(score, abs=1e-4)
        greedy_missed += greedy.scores[b].numpy() < best[0][0] - 1e-4
    assert greedy_missed > 0, "the toy should be one where greedy is not optimal"


def test_length_penalty_scores_and_n_best_order(toy):
    beam, h = run_toy(toy, beam_search, beam_width=4, n_best=4, length_penalty_alpha=1.0)
    scores = beam.scores.numpy()
    assert beam.tokens.shape[:2] == (8, 4)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)
    for b in range(len(h)):
        for rank in range(4):
            length = int(beam.lengths[b, rank])
            tokens = beam.tokens[b, rank].numpy()
            assert np.all(tokens[length:] == 0)
            total, token, hb = 0.0, 0, h[b]
            for v in tokens[:length]:
                log_probs, hb = toy.numpy_step(token, hb)
                total, token = total + log_probs[v], int(v)
            penalty = ((5 + length) / 6) ** 1.0
            assert scores[b, rank] == pytest.approx(total / penalty, abs=1e-4)


def test_beam_alignments_follow_the_chosen_hypothesis(reverser):
    _, step = reverser
    source = np.array([[3, 4, 5, 6], [7, 8, 0, 0]], "int32")
    beam = generate(step, source, BeamSearch(3, max_length=6), start_id=START, end_id=END)
    # Teacher-force the chosen tokens through the step: same attention.
    states, (memory, mask), _ = step.start(tf.constant(source))
    ids = tf.fill([2], START)
    for t in range(int(tf.reduce_max(beam.lengths))):
        _, alignments, states = step(ids, states, (memory, mask))
        live = beam.lengths.numpy() > t
        np.testing.assert_allclose(
            beam.alignments[:, t].numpy()[live], alignments.numpy()[live], atol=1e-5
        )
        ids = beam.tokens[:, t]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"beam_width": 0}, r"`beam_width`.*0"),
        ({"beam_width": 2, "n_best": 3}, r"`n_best`.*beam_width=2.*3"),
        ({"length_penalty_alpha": -0.5}, r"`length_penalty_alpha`.*-0.5"),
    ],
)
def test_invalid_arguments(reverser, kwargs, message):
    _, step = reverser
    states, constants, _ = step.start(tf.ones((1, 3), tf.int32))
    with pytest.raises(ValueError, match=message):
        tf.function(
            lambda: beam_search(
                step,
                states,
                constants=constants,
                start_ids=START,
                end_id=END,
                max_length=4,
                **kwargs,
            )
        )()


def test_tensor_width_and_penalty_equal_python_ones(reverser):
    _, step = reverser
    source = reverse_task(n=12, max_length=4, seed=3)[0]["source_ids"]
    states, constants, _ = step.start(tf.constant(source))

    def run(width, alpha):
        return tf.function(
            lambda: beam_search(
                step,
                states,
                constants=constants,
                start_ids=START,
                end_id=END,
                max_length=6,
                beam_width=width,
                length_penalty_alpha=alpha,
            )
        )()

    python = run(3, 0.6)
    tensors = run(tf.constant(3, tf.int64), tf.constant(0.6))
    for got, want in zip(tensors, python):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6)
