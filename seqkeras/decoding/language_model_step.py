"""A decoding step built from a recurrent language model's own layers."""

import keras
import tensorflow as tf

from seqkeras.decoding.decoding_step import DecodingStep


def language_model_step(model: keras.Model, *, start_id: int = 2) -> DecodingStep:
    """The step of a next-token language model from `build_many_to_many`.

    The model must take token ids (`vocab_size=...`), be unidirectional and
    end in its `outputs` layer; the step runs the model's embedding, each
    recurrent layer's cell and the output layer on one token, carrying every
    layer's state, which is what stateful inference does one character at a
    time. Softmax outputs are turned back into logits (the output layer's
    pre-activation), so sampling temperatures work as usual.

    `start(prime_ids)` reads priming text: `prime_ids` `(batch, steps)`,
    right-padded with 0. It runs every prime token but the last through the
    recurrent layers, and returns the last one as the first token to feed,
    so that the first generated token continues the prime. An empty prime
    starts from `start_id`.

    Args:
        model: A `build_many_to_many` model over token ids.
        start_id: Token fed first when a prime is empty. Defaults to `2`
            (the `<start>` id of `seqkeras.data.Vocabulary`).

    Returns:
        A `seqkeras.decoding.DecodingStep` whose states are a flat list
        (`[h, c]` per LSTM layer, `[h]` per vanilla or GRU layer) and whose
        constants are empty.

    Raises:
        ValueError: if `model` is not such a language model.

    Example:

    ```python
    lm = seqkeras.models.build_many_to_many(vocab.size, vocab_size=vocab.size)
    step = seqkeras.decoding.language_model_step(lm)
    prime = vocab.encode_in_graph(tf.constant(["hel"])).to_tensor()
    text = seqkeras.decoding.generate(
        step, prime, seqkeras.decoding.Sampling(seed=1, max_length=20),
        start_id=2, end_id=3)
    ```
    """
    embedding, cells, output_layer = _language_model_layers(model)
    linear_output = output_layer.activation in (
        keras.activations.softmax,
        keras.activations.linear,
    )
    if not linear_output:
        raise ValueError(
            "Received an invalid value for `model`: expected an `outputs` "
            "layer with a softmax or linear activation, got "
            f"{output_layer.activation!r}."
        )

    def advance(token_ids, states):
        # A fresh tensor: the embedding's padding mask means nothing to a cell.
        x = tf.identity(embedding(tf.cast(token_ids, tf.int32)))
        new_states, position = [], 0
        for cell in cells:
            size = len(tf.nest.flatten(cell.state_size))
            x, cell_states = cell(x, list(states[position : position + size]))
            new_states.extend(tf.nest.flatten(cell_states))
            position += size
        return x, new_states

    def step(token_ids, states, constants):
        x, new_states = advance(token_ids, states)
        logits = keras.ops.matmul(x, output_layer.kernel)
        if output_layer.use_bias:
            logits = logits + output_layer.bias
        no_alignments = tf.zeros([tf.shape(logits)[0], 0], logits.dtype)
        return logits, no_alignments, new_states

    def start(prime_ids):
        prime_ids = tf.cast(prime_ids, tf.int32)
        batch = tf.shape(prime_ids)[0]
        lengths = tf.reduce_sum(tf.cast(prime_ids != 0, tf.int32), axis=1)
        states = []
        for cell in cells:
            states.extend(
                tf.zeros([batch, size], embedding.compute_dtype)
                for size in tf.nest.flatten(cell.state_size)
            )
        last = tf.gather(prime_ids, tf.maximum(lengths - 1, 0), batch_dims=1)
        first_ids = tf.where(lengths > 0, last, start_id)

        def body(t, states):
            _, new_states = advance(prime_ids[:, t], states)
            keep = (t < lengths - 1)[:, None]
            return t + 1, [tf.where(keep, n, s) for n, s in zip(new_states, states)]

        steps = tf.maximum(tf.reduce_max(tf.concat([lengths, [0]], 0)) - 1, 0)
        _, states = tf.while_loop(lambda t, states: t < steps, body, (tf.constant(0), states))
        return states, (), first_ids

    return DecodingStep(start, step)


def _language_model_layers(model):
    try:
        embedding = model.get_layer("embedding")
        output_layer = model.get_layer("outputs")
    except ValueError:
        raise ValueError(
            "Received an invalid value for `model`: expected a token-id "
            "language model from build_many_to_many(vocab_size=...), got "
            f"{model.name!r} without an `embedding` or `outputs` layer."
        ) from None
    recurrent = sorted(
        (layer for layer in model.layers if layer.name.startswith("encoder_")),
        key=lambda layer: int(layer.name.rsplit("_", 1)[1]),
    )
    if not recurrent or any(not hasattr(layer, "cell") for layer in recurrent):
        raise ValueError(
            "Received an invalid value for `model`: expected unidirectional "
            f"recurrent layers named encoder_0, encoder_1, ..., got {model.name!r} "
            f"with layers {[layer.name for layer in model.layers]}."
        )
    return embedding, [layer.cell for layer in recurrent], output_layer
