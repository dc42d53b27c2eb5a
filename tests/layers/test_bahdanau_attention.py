import keras
import numpy as np
import pytest

from seqkeras.layers import BahdanauAttention
from tests.helpers import assert_config_round_trip
from tests.helpers import assert_export_reloads
from tests.helpers import assert_reloads_in_fresh_process
from tests.layers.attention_testing import MEMORY_DIM
from tests.layers.attention_testing import MEMORY_STEPS
from tests.layers.attention_testing import QUERY_DIM
from tests.layers.attention_testing import assert_float16_masking_stays_finite
from tests.layers.attention_testing import assert_keras_mask_of_memory_is_used
from tests.layers.attention_testing import assert_learns_to_point
from tests.layers.attention_testing import assert_masked_positions_get_exactly_zero
from tests.layers.attention_testing import assert_padded_memory_never_reaches_the_context
from tests.layers.attention_testing import numpy_attention
from tests.layers.attention_testing import random_case

UNITS = 7


def numpy_bahdanau(query, memory, mask, weights, normalize):
    """The formula of the class docstring, in float64 NumPy."""
    wq, wm, v = weights["query"], weights["memory"], weights["v"]
    memory = memory * mask[..., None]
    keys = memory @ wm  # (B, Tm, U)
    processed = query @ wq  # (B, [Tq,] U)
    one_step = query.ndim == 2
    if one_step:
        processed = processed[:, None]
    hidden = processed[:, :, None, :] + keys[:, None, :, :]
    if normalize:
        hidden = hidden + weights["b"]
        v = weights["g"] * v / np.linalg.norm(v)
    scores = np.tanh(hidden) @ v  # (B, Tq, Tm)
    return numpy_attention(scores, memory, mask, one_step)


def layer_weights(layer):
    weights = {
        "query": layer.query_layer.kernel.numpy().astype("float64"),
        "memory": layer.memory_layer.kernel.numpy().astype("float64"),
        "v": layer.attention_v.numpy().astype("float64"),
    }
    if layer.normalize:
        weights["g"] = float(layer.attention_g.numpy())
        weights["b"] = layer.attention_b.numpy().astype("float64")
    return weights


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("query_steps", [None, 4])
def test_matches_numpy_formula(normalize, query_steps):
    query, memory, mask = random_case(query_steps)
    layer = BahdanauAttention(UNITS, normalize=normalize)
    layer(query, memory, memory_mask=mask)
    if normalize:
        # Move g and b away from their initial values so they are checked.
        layer.attention_g.assign(1.7)
        layer.attention_b.assign(np.linspace(-1, 1, UNITS).astype("float32"))
    context, alignments = layer(query, memory, memory_mask=mask)
    want_context, want_alignments = numpy_bahdanau(
        query.astype("float64"),
        memory.astype("float64"),
        mask,
        layer_weights(layer),
        normalize,
    )
    np.testing.assert_allclose(alignments, want_alignments, atol=1e-6)
    np.testing.assert_allclose(context, want_context, atol=1e-5)


@pytest.mark.parametrize("query_steps", [None, 4])
def test_masked_positions_get_exactly_zero_and_rows_sum_to_one(query_steps):
    assert_masked_positions_get_exactly_zero(BahdanauAttention(UNITS), *random_case(query_steps))


def test_padded_memory_content_never_reaches_the_context():
    assert_padded_memory_never_reaches_the_context(
        BahdanauAttention(UNITS, normalize=True), *random_case(4)
    )


def test_keras_mask_of_memory_is_used():
    assert_keras_mask_of_memory_is_used(BahdanauAttention(UNITS), *random_case())


def test_weight_names_and_shapes_follow_tensorflow_addons():
    query, memory, _ = random_case()
    layer = BahdanauAttention(UNITS, normalize=True)
    layer(query, memory)
    shapes = {w.path.split("/", 1)[1]: tuple(w.shape) for w in layer.weights}
    assert shapes == {
        "query_layer/kernel": (QUERY_DIM, UNITS),
        "memory_layer/kernel": (MEMORY_DIM, UNITS),
        "attention_v": (UNITS,),
        "attention_g": (),
        "attention_b": (UNITS,),
    }
    plain = BahdanauAttention(UNITS)
    plain(query, memory)
    assert len(plain.weights) == 3


def test_float16_masking_stays_finite():
    layer = BahdanauAttention(UNITS, dtype="float16")
    assert_float16_masking_stays_finite(layer, *random_case())


def test_trains_to_point_at_a_marked_position():
    # A learnable task that needs working gradients through v, W_q and W_m.
    assert_learns_to_point(BahdanauAttention(16))


def test_config_round_trip():
    assert_config_round_trip(BahdanauAttention(UNITS, normalize=True, name="att"))


def test_save_reload_and_export(tmp_path):
    query, memory, mask = random_case(4)
    query_input = keras.Input((4, QUERY_DIM))
    memory_input = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    mask_input = keras.Input((MEMORY_STEPS,), dtype="bool")
    outputs = BahdanauAttention(UNITS, normalize=True)(
        query_input, memory_input, memory_mask=mask_input
    )
    model = keras.Model([query_input, memory_input, mask_input], list(outputs))
    inputs = [query, memory, mask]
    assert_reloads_in_fresh_process(model, inputs, tmp_path)
    assert_export_reloads(model, inputs, tmp_path)


@pytest.mark.parametrize("units", [0, -3, "8", 2.5, None])
def test_invalid_units_message(units):
    with pytest.raises(ValueError, match=rf"`units`.*positive integer.*{units!r}"):
        BahdanauAttention(units)


def test_missing_memory_message():
    with pytest.raises(ValueError, match="got no `memory`"):
        BahdanauAttention(UNITS).build((None, QUERY_DIM))
