"""The bound on a config's model size: checked before any data is read."""

import pathlib

import numpy as np
import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config import model_size
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.tasks import get_task

ROOT = pathlib.Path(__file__).resolve().parents[2]
PIPELINES = sorted(p.stem for p in (ROOT / "pipelines").glob("*.yaml"))


@pytest.mark.parametrize("name", PIPELINES)
def test_every_shipped_pipeline_is_far_inside_the_bound(name):
    config = load_config(ROOT / "pipelines" / f"{name}.yaml")
    decoder = get_task(config.task).supports_scheduled_sampling  # an attending decoder
    assert (
        model_size.recurrent_weights(config.model, decoder)
        < model_size.MAX_RECURRENT_WEIGHTS // 100
    )
    get_task(config.task).check(config)


@pytest.mark.parametrize(
    "overrides",
    [["model.units=2000000000"], ["model.units=8192", "model.layers=64"], ["model.layers=100000"]],
)
def test_a_model_past_the_bound_is_refused_naming_units(overrides):
    config = load_config(ROOT / "pipelines" / "dates.yaml", overrides)
    with pytest.raises(
        ConfigError,
        match=r"^model\.units: \d+ with model\.layers \d+, model\.decoder_layers 1 and .* bound",
    ):
        get_task(config.task).check(config)


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("gru", False), ("vanilla", True)])
def test_the_estimate_counts_a_built_encoder_s_recurrent_weights(cell, bidirectional):
    import keras

    from seqkeras.models import build_many_to_one

    overrides = [
        f"model.cell={cell}",
        f"model.bidirectional={str(bidirectional).lower()}",
        "model.units=12",
        "model.layers=2",
        "model.embedding_dim=5",
        "model.decoder_layers=1",
    ]
    config = load_config(ROOT / "pipelines" / "dates.yaml", overrides)
    model = build_many_to_one(
        3,
        vocab_size=9,
        embedding_dim=5,
        cell=cell,
        units=12,
        num_layers=2,
        bidirectional=bidirectional,
    )
    recurrent = sum(
        int(np.prod(w.shape))
        for layer in model.layers
        if not isinstance(
            layer, (keras.layers.Embedding, keras.layers.Dense, keras.layers.InputLayer)
        )
        for w in layer.weights
    )
    gates = model_size.GATES[cell]
    directions = 2 if bidirectional else 1
    # GRU's reset_after keeps two biases: one more bias row than the estimate's.
    extra_biases = 2 * directions * gates * 12 if cell == "gru" else 0
    assert model_size.recurrent_weights(config.model, decoder=False) + extra_biases == recurrent
