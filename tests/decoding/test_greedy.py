import numpy as np
import pytest
import tensorflow as tf

from seqkeras.decoding import BeamSearch
from seqkeras.decoding import Greedy
from seqkeras.decoding import decode
from seqkeras.decoding import generate
from seqkeras.decoding import greedy_search
from seqkeras.demo import END
from seqkeras.demo import START
from seqkeras.demo import reverse_task


def reference_greedy(step_models, source, max_length):
    """Step-by-step Python loop over the Keras inference models, argmax each step.

    Id 0 is padding and never generated, so the argmax is over ids from 1.
    """
    encoder, step = step_models
    memory, mask, *states = encoder.predict(source, verbose=0)
    rows = []
    for b in range(len(source)):
        token, row_states, tokens = START, [s[b : b + 1] for s in states], []
        for _ in range(max_length):
            logits, _, *row_states = step.predict(
                [np.array([token]), memory[b : b + 1], mask[b : b + 1], *row_states], verbose=0
            )
            token = 1 + int(np.argmax(logits[0, 1:]))  # padding is never chosen
            tokens.append(token)
            if token == END:
                break
        rows.append(tokens)
    return rows


def test_greedy_equals_python_reference_loop(reverser):
    model, step = reverser
    inputs, _ = reverse_task(n=6, max_length=4, seed=3)
    source = inputs["source_ids"]
    result = generate(step, source, Greedy(6), start_id=START, end_id=END)
    expected = reference_greedy(model.inference_models(), source, 6)
    lengths = result.lengths.numpy()
    assert len(set(lengths)) > 1, "the sequences should end at different steps"
    for b, tokens in enumerate(expected):
        assert lengths[b] == len(tokens)
        row = result.tokens.numpy()[b]
        np.testing.assert_array_equal(row[: len(tokens)], tokens)
        assert np.all(row[len(tokens) :] == 0)


def test_greedy_scores_are_summed_log_probabilities(toy):
    states = toy.initial_states(3)
    result = tf.function(lambda s: greedy_search(toy, s, start_ids=0, end_id=1, max_length=5))(
        states
    )
    h = states["rnn"][0].numpy()
    for b in range(3):
        token, hb, total = 0, h[b], 0.0
        for t in range(result.lengths[b]):
            log_probs, hb = toy.numpy_step(token, hb)
            token = int(result.tokens[b, t])
            assert token == int(np.argmax(log_probs))
            total += log_probs[token]
        assert result.scores[b].numpy() == pytest.approx(total, abs=1e-4)


def test_alignments_rows_sum_to_one_over_unpadded_source(reverser):
    _, step = reverser
    source = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 3, 4]], "int32")
    result = generate(step, source, Greedy(5), start_id=START, end_id=END)
    alignments = result.alignments.numpy()
    assert alignments.shape == (2, result.tokens.shape[1], 5)
    for b in range(2):
        real = alignments[b, : result.lengths[b]]
        np.testing.assert_allclose(real.sum(-1), 1.0, atol=1e-5)
        assert np.all(real[:, source[b] == 0] == 0.0)
        assert np.all(alignments[b, result.lengths[b] :] == 0.0)


def test_generate_compiles_one_while_loop(reverser):
    _, step = reverser
    source = reverse_task(n=2, max_length=4)[0]["source_ids"]
    compiled = tf.function(lambda s: decode(step, s, Greedy(4), start_id=START, end_id=END))
    graph = compiled.get_concrete_function(tf.constant(source)).graph
    op_types = {op.type for op in graph.get_operations()}
    assert op_types & {"While", "StatelessWhile"}


def test_empty_and_long_sources_give_an_answer(reverser):
    _, step = reverser
    source = np.zeros((2, 300), "int32")
    source[1] = 3 + np.arange(300) % 6
    result = generate(step, source, Greedy(8), start_id=START, end_id=END)
    assert result.tokens.shape[0] == 2
    assert np.all(np.isfinite(result.scores.numpy()))
    assert np.all(result.alignments.numpy()[0] == 0.0)


@pytest.mark.parametrize(
    "strategy, kwargs, message",
    [
        (lambda: Greedy(0), {}, r"`max_length`.*0"),
        (lambda: Greedy(4), {"end_id": -1}, r"`end_id`.*-1"),
        (lambda: "beams", {}, r"`strategy`.*'beams'"),
        (lambda: BeamSearch(0, max_length=4), {}, r"`width`.*0"),
    ],
)
def test_invalid_arguments(reverser, strategy, kwargs, message):
    _, step = reverser
    args = {"start_id": START, "end_id": END, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate(step, np.ones((1, 3), "int32"), strategy(), **args)
