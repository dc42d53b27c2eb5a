"""Checks shared by the tests of the attention layers (Bahdanau, Luong).

Each layer has the same call contract: `context, alignments =
attention(query, memory, memory_mask)` with a 2-D or 3-D query, masked memory
positions weighted exactly zero and their content never reaching the context.
"""

import keras
import numpy as np

BATCH, MEMORY_STEPS, MEMORY_DIM, QUERY_DIM = 3, 6, 5, 4
#: Real lengths of the three memories: full, partial, a single position.
MEMORY_LENGTHS = (MEMORY_STEPS, 3, 1)


def random_case(query_steps=None, seed=0, query_dim=QUERY_DIM, memory_dim=MEMORY_DIM):
    """`(query, memory, mask)`; the query is 2-D when `query_steps` is None."""
    rng = np.random.default_rng(seed)
    query_shape = (BATCH, query_dim) if query_steps is None else (BATCH, query_steps, query_dim)
    query = rng.normal(size=query_shape).astype("float32")
    memory = rng.normal(size=(BATCH, MEMORY_STEPS, memory_dim)).astype("float32")
    mask = np.arange(MEMORY_STEPS)[None, :] < np.array(MEMORY_LENGTHS)[:, None]
    return query, memory, mask


def numpy_attention(scores, memory, mask, one_step):
    """Masked softmax of `scores` `(B, Tq, Tm)` and the context, in NumPy.

    `memory` must already be zeroed where `mask` is False. Returns
    `(context, alignments)` without the `Tq` axis when `one_step`.
    """
    scores = np.where(mask[:, None, :], scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    alignments = np.exp(scores)
    alignments /= alignments.sum(axis=-1, keepdims=True)
    context = alignments @ memory
    if one_step:
        return context[:, 0], alignments[:, 0]
    return context, alignments


def assert_masked_positions_get_exactly_zero(layer, query, memory, mask):
    """Masked alignments are exactly 0, real ones positive, rows sum to 1."""
    _, alignments = layer(query, memory, memory_mask=mask)
    alignments = np.asarray(alignments)
    full_mask = np.broadcast_to(mask if query.ndim == 2 else mask[:, None, :], alignments.shape)
    assert np.all(alignments[~full_mask] == 0.0)
    assert np.all(alignments[full_mask] > 0.0)
    np.testing.assert_allclose(alignments.sum(axis=-1), 1.0, atol=1e-6)


def assert_padded_memory_never_reaches_the_context(layer, query, memory, mask):
    """Huge values in the padding change nothing; without the mask they do."""
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


def assert_keras_mask_of_memory_is_used(layer, query, memory, mask):
    """In a functional model the memory's Keras mask is the memory mask."""
    memory_input = keras.Input(memory.shape[1:])
    query_input = keras.Input(query.shape[1:])
    masked_memory = keras.layers.Masking(mask_value=0.0)(memory_input)
    context, alignments = layer(query_input, masked_memory)
    model = keras.Model([query_input, memory_input], [context, alignments])
    padded = np.where(mask[..., None], memory, 0.0).astype("float32")
    got_context, got_alignments = model.predict([query, padded], verbose=0)
    want_context, want_alignments = layer(query, padded, memory_mask=mask)
    np.testing.assert_allclose(got_alignments, want_alignments, atol=1e-6)
    np.testing.assert_allclose(got_context, want_context, atol=1e-6)
    assert np.all(got_alignments[~mask] == 0.0)


def assert_float16_masking_stays_finite(layer, query, memory, mask):
    """A float16 layer's filler for masked scores does not overflow."""
    context, alignments = layer(query.astype("float16"), memory.astype("float16"), memory_mask=mask)
    assert np.all(np.isfinite(np.asarray(context)))
    assert np.all(np.asarray(alignments)[~mask] == 0.0)


def pointer_task(n=512, seed=1):
    """The query says which memory slot holds the answer; attention must read it.

    Returns `([query, memory], target)`: the query is the slot's one-hot, the
    slot is marked by a 3 in feature 0 and the answer is its feature 1.
    """
    rng = np.random.default_rng(seed)
    memory = rng.normal(size=(n, MEMORY_STEPS, MEMORY_DIM)).astype("float32")
    slot = rng.integers(0, MEMORY_STEPS, size=n)
    query = np.eye(MEMORY_STEPS, dtype="float32")[slot]
    memory[np.arange(n), slot, 0] = 3.0
    target = memory[np.arange(n), slot, 1:2]
    return [query, memory], target


def assert_learns_to_point(layer, epochs=30):
    """Training through the layer halves the pointer task's loss."""
    (query, memory), target = pointer_task()
    query_input = keras.Input((MEMORY_STEPS,))
    memory_input = keras.Input((MEMORY_STEPS, MEMORY_DIM))
    context, _ = layer(query_input, memory_input)
    model = keras.Model([query_input, memory_input], keras.layers.Dense(1)(context))
    model.compile(keras.optimizers.Adam(0.02, clipnorm=1.0), "mse")
    history = model.fit([query, memory], target, epochs=epochs, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
