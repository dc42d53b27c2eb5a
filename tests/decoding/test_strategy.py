import pytest

from seqkeras import decoding
from seqkeras.decoding import BeamSearch
from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling

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
