import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.layers import BahdanauAttention
from seqkeras.layers import LuongAttention
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
from tests.layers.numpy_reference import central_differences

SCORES = ["dot", "general", "concat"]
CONCAT_UNITS = 7


def case(score, query_steps=None, seed=0):
    """A random case; the dot score needs a query of the memory's size."""
    query_dim = MEMORY_DIM if score == "dot" else QUERY_DIM
    return random_case(query_steps, seed=seed, query_dim=query_dim)


def make_layer(score, scale=False, **kwargs):
    units = CONCAT_UNITS if score == "concat" else None
    return LuongAttention(units, score=score, scale=scale, **kwargs)


def numpy_luong(query, memory, mask, weights, score):
    """Luong, Pham & Manning (2015), eq. 8, in float64 NumPy.

    `weights["W_a"]` is the matrix of the paper: `(query_dim, memory_dim)`
    for general, `(units, query_dim + memory_dim)` for concat.
    """
    memory = memory * mask[..., None]
    one_step = query.ndim == 2
    h_t = query[:, None] if one_step else query  # (B, Tq, Hq)
    if score == "dot":
        scores = np.einsum("bqd,bsd->bqs", h_t, memory)
    elif score == "general":
        scores = np.einsum("bqd,de,bse->bqs", h_t, weights["W_a"], memory)
    else:
        # The literal concatenation [h_t; h_s] of every query and memory step.
        steps_q, steps_m = h_t.shape[1], memory.shape[1]
        pairs = np.concatenate(
            [
                np.repeat(h_t[:, :, None], steps_m, axis=2),
                np.repeat(memory[:, None], steps_q, axis=1),
            ],
            axis=-1,
        )
        scores = np.tanh(pairs @ weights["W_a"].T) @ weights["v_a"]
    if "g" in weights:
        scores = weights["g"] * scores
    return numpy_attention(scores, memory, mask, one_step)


def paper_weights(layer):
    """The layer's weights as the paper's `W_a`, `v_a` (and `g`), float64."""
    weights = {}
    if layer.score == "general":
        weights["W_a"] = layer.memory_layer.kernel.numpy().astype("float64").T
    if layer.score == "concat":
        stacked = np.concatenate(
            [layer.query_layer.kernel.numpy(), layer.memory_layer.kernel.numpy()], axis=0
        )
        weights["W_a"] = stacked.astype("float64").T
        weights["v_a"] = layer.attention_v.numpy().astype("float64")
    if layer.scale:
        weights["g"] = float(layer.attention_g.numpy())
    return weights


@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("query_steps", [None, 4])
@pytest.mark.parametrize("score", SCORES)
def test_matches_numpy_formula(score, query_steps, scale):
    query, memory, mask = case(score, query_steps)
    layer = make_layer(score, scale)
    layer(query, memory, memory_mask=mask)
    if scale:
        layer.attention_g.assign(1.7)  # away from its initial 1, so it is checked
    context, alignments = layer(query, memory, memory_mask=mask)
    want_context, want_alignments = numpy_luong(
        query.astype("float64"), memory.astype("float64"), mask, paper_weights(layer), score
    )
    np.testing.assert_allclose(alignments, want_alignments, atol=1e-6)
    np.testing.assert_allclose(context, want_context, atol=1e-5)


@pytest.mark.parametrize("scale", [False, True])
def test_dot_score_equals_keras_attention(scale):
    query, memory, mask = case("dot", query_steps=4)
    layer = LuongAttention(score="dot", scale=scale)
    keras_attention = keras.layers.Attention(use_scale=scale)
    layer(query, memory, memory_mask=mask)
    keras_attention([query, memory], mask=[None, mask])
    if scale:
        layer.attention_g.assign(1.7)
        keras_attention.scale.assign(1.7)
    context, alignments = layer(query, memory, memory_mask=mask)
    want_context, want_alignments = keras_attention(
        [query, memory, memory], mask=[None, mask], return_attention_scores=True
    )
    np.testing.assert_allclose(alignments, want_alignments, atol=1e-6)
    np.testing.assert_allclose(context, want_context, atol=1e-6)
    # A 2-D query is the same as a query of one step.
    one_context, one_alignments = layer(query[:, 0], memory, memory_mask=mask)
    np.testing.assert_allclose(one_alignments, np.asarray(want_alignments)[:, 0], atol=1e-6)
    np.testing.assert_allclose(one_context, np.asarray(want_context)[:, 0], atol=1e-6)


def test_concat_score_is_bahdanaus_unnormalised_score():
    # The docstring's claim: W_a [h_t; h_s] split into query_layer and
    # memory_layer, so weights copy from BahdanauAttention one to one.
    query, memory, mask = case("concat", query_steps=4)
    luong = make_layer("concat")
    bahdanau = BahdanauAttention(CONCAT_UNITS)
    luong(query, memory)
    bahdanau(query, memory)
    assert [w.path.split("/", 1)[1] for w in luong.weights] == [
        w.path.split("/", 1)[1] for w in bahdanau.weights
    ]
    luong.set_weights(bahdanau.get_weights())
    for got, want in zip(
        luong(query, memory, memory_mask=mask), bahdanau(query, memory, memory_mask=mask)
    ):
        np.testing.assert_allclose(got, want, atol=1e-6)


@pytest.mark.parametrize("query_steps", [None, 4])
@pytest.mark.parametrize("score", SCORES)
def test_masked_positions_get_exactly_zero_and_rows_sum_to_one(score, query_steps):
    layer = make_layer(score, scale=True)
    assert_masked_positions_get_exactly_zero(layer, *case(score, query_steps))


@pytest.mark.parametrize("score", SCORES)
def test_padded_memory_content_never_reaches_the_context(score):
    layer = make_layer(score, scale=True)
    assert_padded_memory_never_reaches_the_context(layer, *case(score, query_steps=4))


def test_keras_mask_of_memory_is_used():
    assert_keras_mask_of_memory_is_used(make_layer("general"), *case("general"))


@pytest.mark.parametrize("score", SCORES)
def test_float16_masking_stays_finite(score):
    layer = make_layer(score, scale=True, dtype="float16")
    assert_float16_masking_stays_finite(layer, *case(score))


def test_gradients_equal_finite_differences_of_the_numpy_formula():
    # float64 throughout, so central differences are exact to ~1e-9.
    query, memory, mask = (
        a.astype("float64") if a.dtype != bool else a for a in case("general", 3)
    )
    layer = LuongAttention(score="general", scale=True, dtype="float64")
    layer(query, memory, memory_mask=mask)
    layer.attention_g.assign(1.3)
    rng = np.random.default_rng(3)
    context_weights = rng.normal(size=(query.shape[0], 3, MEMORY_DIM))
    alignment_weights = rng.normal(size=(query.shape[0], 3, MEMORY_STEPS))
    kernel = layer.memory_layer.kernel.numpy()

    def numpy_loss():
        weights = {"W_a": kernel.T, "g": g[()]}
        context, alignments = numpy_luong(query, memory, mask, weights, "general")
        return np.sum(context * context_weights) + np.sum(alignments * alignment_weights)

    g = np.array(1.3)
    query_t, memory_t = tf.constant(query), tf.constant(memory)
    with tf.GradientTape() as tape:
        tape.watch([query_t, memory_t])
        context, alignments = layer(query_t, memory_t, memory_mask=mask)
        loss = tf.reduce_sum(context * context_weights) + tf.reduce_sum(
            alignments * alignment_weights
        )
    grads = tape.gradient(loss, [query_t, memory_t, layer.memory_layer.kernel, layer.attention_g])
    np.testing.assert_allclose(float(loss), numpy_loss(), rtol=1e-12)
    for got, array in zip(grads, [query, memory, kernel, g]):
        want = central_differences(numpy_loss, array)
        assert np.abs(want).max() > 1e-3
        np.testing.assert_allclose(np.asarray(got), want, atol=1e-7)


def test_trains_to_point_at_a_marked_position():
    # Working gradients through W_a and g: the loss halves.
    assert_learns_to_point(LuongAttention(score="general", scale=True))


def test_weight_names_and_shapes_follow_tensorflow_addons():
    def shapes(score, scale):
        layer = make_layer(score, scale)
        layer(*case(score)[:2])
        return {w.path.split("/", 1)[1]: tuple(w.shape) for w in layer.weights}

    assert shapes("dot", False) == {}
    assert shapes("dot", True) == {"attention_g": ()}
    assert shapes("general", True) == {
        "memory_layer/kernel": (MEMORY_DIM, QUERY_DIM),
        "attention_g": (),
    }
    assert shapes("concat", False) == {
        "query_layer/kernel": (QUERY_DIM, CONCAT_UNITS),
        "memory_layer/kernel": (MEMORY_DIM, CONCAT_UNITS),
        "attention_v": (CONCAT_UNITS,),
    }


def test_units_of_the_query_size_are_accepted_for_general():
    query, memory, mask = case("general")
    given, inferred = LuongAttention(QUERY_DIM), LuongAttention()
    given(query, memory)
    inferred(query, memory)
    given.set_weights(inferred.get_weights())
    np.testing.assert_array_equal(
        given(query, memory, memory_mask=mask)[0], inferred(query, memory, memory_mask=mask)[0]
    )


@pytest.mark.parametrize("score", SCORES)
def test_config_round_trip(score):
    assert_config_round_trip(make_layer(score, scale=True, name="att"))


def test_save_reload_and_export(tmp_path):
    # One model holds all three scores: one fresh process checks them all.
    query, memory, mask = case("dot", query_steps=4)
    query_input = keras.Input((4, MEMORY_DIM))
    memory_input = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    mask_input = keras.Input((MEMORY_STEPS,), dtype="bool")
    outputs = []
    for score in SCORES:
        outputs += make_layer(score, scale=True)(query_input, memory_input, memory_mask=mask_input)
    model = keras.Model([query_input, memory_input, mask_input], outputs)
    for layer in model.layers[3:]:
        layer.attention_g.assign(0.8)  # saved values, not the initial ones
    inputs = [query, memory, mask]
    assert_reloads_in_fresh_process(model, inputs, tmp_path)
    assert_export_reloads(model, inputs, tmp_path)


@pytest.mark.parametrize("units", [0, -3, "8", 2.5])
def test_invalid_units_message(units):
    with pytest.raises(ValueError, match=rf"`units`: expected a positive integer, got {units!r}"):
        LuongAttention(units)


def test_invalid_score_message():
    with pytest.raises(
        ValueError,
        match=r"`score`: expected one of 'dot', 'general', 'concat', got 'bilinear'",
    ):
        LuongAttention(score="bilinear")


@pytest.mark.parametrize("score", ["dot", "general"])
def test_units_other_than_the_query_size_message(score):
    query, memory, _ = case(score)
    size = query.shape[-1]
    with pytest.raises(
        ValueError,
        match=rf"`units`.*score='{score}'.*the query's size, {size}, or None; got 9",
    ):
        LuongAttention(9, score=score)(query, memory)


def test_dot_score_with_different_sizes_message():
    query, memory, _ = case("general")
    with pytest.raises(ValueError, match=r"score='dot'.*query size 4 and memory size 5.*'general'"):
        LuongAttention(score="dot")(query, memory)


def test_missing_memory_message():
    with pytest.raises(ValueError, match="LuongAttention.*got no `memory`"):
        LuongAttention().build((None, QUERY_DIM))
