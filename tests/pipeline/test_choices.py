"""The config's lists of names (`seqkeras/pipeline/config/choices.py`) equal the registries.

The schema reads the light lists so that `seqkeras schema` starts without
TensorFlow; each must name what its registry holds, in the same order (the
order of the schema's `enum` and of the error's list of names).
"""

from seqkeras.pipeline.config import choices


def test_every_list_of_names_equals_its_registry():
    from seqkeras.decoding import STRATEGIES
    from seqkeras.layers import IMPLEMENTATIONS
    from seqkeras.layers.attention.attention_decoder import ATTENTION_LAYER_ACTIVATIONS
    from seqkeras.layers.attention.luong_attention import SCORES
    from seqkeras.layers.attention.scheduled_sampling_decoder import SAMPLING
    from seqkeras.models.attention_mechanism import ATTENTIONS
    from seqkeras.models.image_encoder import CNN_FILTERS
    from seqkeras.models.image_encoder import IMAGE_ENCODERS
    from seqkeras.models.recurrent_stack import CELLS
    from seqkeras.models.scheduled_sampling import SCHEDULES
    from seqkeras.pipeline.training.optimizers import OPTIMIZERS

    assert choices.CELLS == tuple(CELLS)
    assert choices.IMPLEMENTATIONS == tuple(IMPLEMENTATIONS)
    assert choices.IMAGE_ENCODERS == tuple(IMAGE_ENCODERS)
    assert choices.CNN_FILTERS == tuple(CNN_FILTERS)
    assert choices.OPTIMIZERS == tuple(OPTIMIZERS)
    assert choices.DECODING_STRATEGIES == tuple(STRATEGIES)
    assert choices.ATTENTIONS == tuple(ATTENTIONS)
    assert choices.LUONG_SCORES == tuple(SCORES)
    assert choices.ATTENTION_LAYER_ACTIVATIONS == tuple(ATTENTION_LAYER_ACTIVATIONS)
    assert choices.SAMPLING_SCHEDULES == tuple(SCHEDULES)
    assert choices.FED_PREDICTIONS == tuple(SAMPLING)


def test_the_schema_s_image_pixel_default_is_the_image_checks_own():
    # The schema stays importable without TensorFlow, so it keeps its own copy.
    from seqkeras.data.images import MAX_PIXELS
    from seqkeras.pipeline.config.schema import MAX_IMAGE_PIXELS

    assert MAX_IMAGE_PIXELS == MAX_PIXELS


def test_every_cell_runs_every_implementation_the_schema_offers():
    # The schema's one `model.implementation` list holds for every `model.cell`,
    # so loading a config (without TensorFlow) needs no per-cell check.
    from seqkeras.models.recurrent_stack import CELLS

    for cell, (_, layer) in CELLS.items():
        assert tuple(layer.implementations) == choices.IMPLEMENTATIONS, cell
