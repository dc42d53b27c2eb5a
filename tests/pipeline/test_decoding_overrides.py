"""`seqkeras predict`'s decoding options: one table from option to strategy argument."""

import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.commands.prediction import DecodingOverrides


def test_each_option_implies_its_strategy_and_sets_its_argument():
    assert DecodingOverrides().implied() is None
    assert DecodingOverrides(length_penalty=0.6).implied() == "beam"
    assert DecodingOverrides(seed=3).implied() == "sample"
    beam = DecodingOverrides(beam_width=5, length_penalty=0.6)
    assert beam.options_for("beam") == {"width": 5, "length_penalty": 0.6}
    sample = DecodingOverrides(temperature=0.5, top_k=None, seed=1)
    assert sample.options_for("sample") == {"temperature": 0.5, "seed": 1}
    assert DecodingOverrides(strategy="greedy").options_for("greedy") == {}


def test_an_option_of_another_strategy_is_refused_naming_the_options():
    with pytest.raises(
        ConfigError, match=r"^--beam-width/--length-penalty: for --strategy beam, not 'greedy'\.$"
    ):
        DecodingOverrides(beam_width=2).options_for("greedy")
    with pytest.raises(
        ConfigError, match=r"^--temperature/--top-k/--seed: for --strategy sample, not 'beam'\.$"
    ):
        DecodingOverrides(top_k=4).options_for("beam")


def test_every_strategy_argument_maps_back_to_its_option():
    assert DecodingOverrides.flag_of("width") == "--beam-width"
    assert DecodingOverrides.flag_of("top_k") == "--top-k"
    assert DecodingOverrides.flag_of("max_length") == "--strategy"
    # Every option of the table is a real field of the overrides and a flag of the CLI.
    from seqkeras.cli import _build_parser

    parsed = vars(_build_parser().parse_args(["predict", "RUN", "x"]))
    for fields in DecodingOverrides.OPTIONS.values():
        assert set(fields) <= set(parsed)
