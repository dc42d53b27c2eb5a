import logging

import numpy as np
import pytest
import tensorflow as tf

from seqkeras import decoding
from seqkeras.decoding import BeamSearch
from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.decoding import generate

EXAMPLES = [
    Greedy(12),
    BeamSearch(5, 0.6, max_length=30, n_best=2),
    Sampling(0.8, top_k=20, seed=7, max_length=200),
]


def test_the_registry_lists_every_strategy_once():
    assert decoding.STRATEGIES == {"greedy": Greedy, "beam": BeamSearch, "sample": Sampling}


@pytest.mark.parametrize("strategy", EXAMPLES, ids=lambda s: s.name)
def test_config_round_trip_and_equality(strategy):
    config = strategy.get_config()
    again = type(strategy).from_config(config)
    assert again == strategy and hash(again) == hash(strategy)
    assert again.get_config() == config
    assert decoding.deserialize_strategy(decoding.serialize_strategy(strategy)) == strategy
    assert strategy.describe().startswith(f"{strategy.name} (")


def test_strategies_with_other_options_differ():
    assert BeamSearch(5, max_length=30) != BeamSearch(4, max_length=30)
    assert BeamSearch(1, max_length=30) != Greedy(30)
    assert Sampling(seed=1, max_length=9) != Sampling(seed=2, max_length=9)


def test_serialized_form():
    assert decoding.serialize_strategy(BeamSearch(3, 0.8, max_length=12)) == {
        "name": "beam",
        "config": {"max_length": 12, "width": 3, "length_penalty": 0.8, "n_best": 1},
    }


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Greedy(0), r"`max_length`.*0"),
        (lambda: BeamSearch(0, max_length=5), r"`width`.*0"),
        (lambda: BeamSearch(2, max_length=5, n_best=3), r"`n_best`.*width=2.*3"),
        (lambda: BeamSearch(2, -0.1, max_length=5), r"`length_penalty`.*-0.1"),
        (lambda: Sampling(0.0, max_length=5), r"`temperature`.*0.0"),
        (lambda: Sampling(top_k=0, max_length=5), r"`top_k`.*0"),
        (lambda: Sampling(seed=-3, max_length=5), r"`seed`.*-3"),
        (
            lambda: decoding.deserialize_strategy({"name": "beems"}),
            r"`strategy`.*'greedy'.*'beems'",
        ),
    ],
)
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_one_function_per_strategy_raises_no_retracing_warning(reverser, caplog):
    # An export check runs four strategies after evaluation's: TensorFlow
    # counted them as retracings of one function and printed a warning.
    _, step = reverser
    source = np.array([[4, 5, 6], [7, 8, 0]], "int32")
    strategies = [
        Greedy(5),
        Greedy(6),
        BeamSearch(2, max_length=5),
        Sampling(1.0, seed=1, max_length=5),
        Sampling(0.5, seed=2, max_length=5),
        BeamSearch(3, 0.6, max_length=4),
    ]
    with caplog.at_level(logging.WARNING):
        for strategy in strategies:
            generate(step, source, strategy, start_id=2, end_id=3)
    assert "retracing" not in caplog.text

    # Another function's retracing is still reported.
    @tf.function
    def traced(x):
        return x + 1

    with caplog.at_level(logging.WARNING):
        for length in range(2, 9):
            traced(tf.zeros([length]))
    assert "triggered tf.function retracing" in caplog.text


def test_make_strategy_is_the_constructor_with_its_defaults():
    from seqkeras.decoding import make_strategy

    assert make_strategy("greedy", max_length=9) == Greedy(9)
    assert make_strategy("beam", max_length=9) == BeamSearch(4, 0.0, max_length=9)
    assert make_strategy("beam", max_length=9, width=3, length_penalty=None) == BeamSearch(
        3, max_length=9
    )
    assert make_strategy("sample", max_length=9, top_k=5) == Sampling(1.0, 5, 0, max_length=9)
    with pytest.raises(ValueError, match=r"strategy 'greedy' takes \[\], got \['width'\]"):
        make_strategy("greedy", max_length=9, width=3)
    with pytest.raises(
        ValueError, match=r"`name`: expected one of 'beam', 'greedy', 'sample', got 'nucleus'"
    ):
        make_strategy("nucleus", max_length=9)
    with pytest.raises(ValueError, match="`width`"):
        make_strategy("beam", max_length=9, width=0)


def test_each_strategy_names_the_signature_and_inputs_that_serve_it():
    assert (Greedy(5).signature, Greedy(5).signature_inputs()) == ("greedy", {})
    beam = BeamSearch(3, 0.6, max_length=5)
    assert beam.signature == "beam_search"
    assert beam.signature_inputs() == {"beam_width": 3, "length_penalty": np.float32(0.6)}
    assert beam.signature_inputs()["beam_width"].dtype == np.int64
    sampling = Sampling(0.8, None, 7, max_length=5)
    assert sampling.signature == "sample"
    assert sampling.signature_inputs() == {"seed": 7, "temperature": np.float32(0.8), "top_k": 0}
