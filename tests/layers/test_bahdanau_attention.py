import keras
import numpy as np
import pytest

from seqkeras.layers import BahdanauAttention
from tests.helpers import assert_config_round_trip
from tests.helpers import assert_export_reloads
from tests.helpers import assert_reloads_in_fresh_process

BATCH, MEMORY_STEPS, MEMORY_DIM, QUERY_DIM, UNITS = 3, 6, 5, 4, 7


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
    scores = np.where(mask[:, None, :], scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    alignments = np.exp(scores)
    alignments /= alignments.sum(axis=-1, keepdims=True)
    context = alignments @ memory
    if one_step:
        return context[:, 0], alignments[:, 0]
    return context, alignments


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


def random_case(query_steps=None, seed=0):
    rng = np.random.default_rng(seed)
    query_shape = (BATCH, QUERY_DIM) if query_steps is None else (BATCH, query_steps, QUERY_DIM)
    query = rng.normal(size=query_shape).astype("float32")
    memory = rng.normal(size=(BATCH, MEMORY_STEPS, MEMORY_DIM)).astype("float32")
    lengths = np.array([MEMORY_STEPS, 3, 1])
    mask = np.arange(MEMORY_STEPS)[None, :] < lengths[:, None]
    return query, memory, mask


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
    query, memory, mask = random_case(query_steps)
    _, alignments = BahdanauAttention(UNITS)(query, memory, memory_mask=mask)
    alignments = np.asarray(alignments)
    full_mask = np.broadcast_to(mask if query_steps is None else mask[:, None, :], alignments.shape)
    assert np.all(alignments[~full_mask] == 0.0)
    assert np.all(alignments[full_mask] > 0.0)
    np.testing.assert_allclose(alignments.sum(axis=-1), 1.0, atol=1e-6)


def test_padded_memory_content_never_reaches_the_context():
    query, memory, mask = random_case(4)
    layer = BahdanauAttention(UNITS, normalize=True)
    context, alignments = layer(query, memory, memory_mask=mask)
    garbage = memory.copy()
    garbage[~mask] = 1e4 * np.sign(garbage[~mask]) + 3.0
    context2, alignments2 = layer(query, garbage, memory_mask=mask)
    np.testing.assert_array_equal(context, context2)
    np.testing.assert_array_equal(alignments, alignments2)
    # Without the mask the same change does move the context: the check above
    # is not vacuous.
    unmasked, _ = layer(query, garbage)
    assert np.abs(np.asarray(unmasked) - np.asarray(context)).max() > 1.0


def test_keras_mask_of_memory_is_used():
    query, memory, mask = random_case()
    memory_input = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    query_input = keras.Input((QUERY_DIM,))
    masked_memory = keras.layers.Masking(mask_value=0.0)(memory_input)
    layer = BahdanauAttention(UNITS)
    context, alignments = layer(query_input, masked_memory)
    model = keras.Model([query_input, memory_input], [context, alignments])
    padded = np.where(mask[..., None], memory, 0.0).astype("float32")
    got_context, got_alignments = model.predict([query, padded], verbose=0)
    want_context, want_alignments = layer(query, padded, memory_mask=mask)
    np.testing.assert_allclose(got_alignments, want_alignments, atol=1e-6)
    np.testing.assert_allclose(got_context, want_context, atol=1e-6)
    assert np.all(got_alignments[~mask] == 0.0)


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
    query, memory, mask = random_case()
    layer = BahdanauAttention(UNITS, dtype="float16")
    context, alignments = layer(query.astype("float16"), memory.astype("float16"), memory_mask=mask)
    assert np.all(np.isfinite(np.asarray(context)))
    assert np.all(np.asarray(alignments)[~mask] == 0.0)


def test_trains_to_point_at_a_marked_position():
    # The query says which memory slot holds the answer; attention must learn
    # to read it. A learnable task that needs working gradients through v,
    # W_q and W_m.
    rng = np.random.default_rng(1)
    n = 512
    memory = rng.normal(size=(n, MEMORY_STEPS, MEMORY_DIM)).astype("float32")
    slot = rng.integers(0, MEMORY_STEPS, size=n)
    query = np.eye(MEMORY_STEPS, dtype="float32")[slot]
    memory[np.arange(n), slot, 0] = 3.0
    target = memory[np.arange(n), slot, 1:2]
    query_input = keras.Input((MEMORY_STEPS,))
    memory_input = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    context, _ = BahdanauAttention(16)(query_input, memory_input)
    model = keras.Model([query_input, memory_input], keras.layers.Dense(1)(context))
    model.compile(keras.optimizers.Adam(0.02, clipnorm=1.0), "mse")
    history = model.fit([query, memory], target, epochs=30, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]


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
