"""An attention decoder that reads its own predictions: scheduled sampling."""

import keras
from keras import ops
from keras import tree

from seqkeras.layers.attention.attention_decoder import AttentionDecoder
from seqkeras.layers.dropout_masks import check_seed
from seqkeras.layers.step_loop import run_step_loop
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import invalid

#: How the fed-back token is chosen from the previous step's logits.
SAMPLING = ("argmax", "sample")


@keras.saving.register_keras_serializable(package="seqkeras")
class ScheduledSamplingDecoder(keras.layers.Layer):
    """Runs an `AttentionDecoder` on target ids, sometimes feeding back its predictions.

    Scheduled sampling (Bengio et al. 2015). A teacher-forced decoder reads
    the true previous token at every step; here, at every step after the
    first, each sequence reads instead, with probability `probability`, the
    token the decoder itself predicted at the previous step: the `argmax` of
    that step's logits (`sampling="argmax"`), or a token drawn from their
    softmax (`sampling="sample"`, as Bengio et al. and TensorFlow Addons'
    `ScheduledEmbeddingTrainingSampler` do). The coin is tossed per
    sequence and per step; the first step always reads the given `<start>`.
    No gradient flows through the fed prediction (the choice of token or
    its embedding): the embedding learns from the true tokens, as with
    teacher forcing.

    With `probability=0` the result is the teacher-forced logits,
    `output_layer(decoder(embedding(target_ids), memory)[0])`; with
    `probability=1` the decoder reads only its own predictions after the
    first step, as when it generates (greedily, with `"argmax"`), while the
    steps it runs and the padding it masks still follow `target_ids`.

    The layer has no trainable weights of its own (only its random state):
    it runs the `decoder`, the `embedding` and the `output_layer` it is
    given, which can be a model's own (see
    `seqkeras.models.ScheduledSampling`).

    Args:
        decoder: A `seqkeras.layers.AttentionDecoder`.
        embedding: The layer from target ids to decoder inputs, such as
            `keras.layers.Embedding`.
        output_layer: The layer from decoder outputs to logits, such as
            `keras.layers.Dense(vocab_size)`; logit `i` scores the token
            `embedding` reads as id `i`.
        sampling: `"argmax"` or `"sample"`, how the fed-back token is
            chosen. Defaults to `"argmax"`.
        seed: Integer seed of the coins and samples. Defaults to `None`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        target_ids: Integer decoder inputs `(batch, steps)`, `<start>` +
            target, 0 being padding (masked).
        memory: The memory to attend to, `(batch, memory_steps, memory_dim)`.
        initial_state: Optional list of initial decoder states, as
            `AttentionDecoder` takes them. Defaults to zeros.
        memory_mask: Optional boolean `(batch, memory_steps)`; taken from the
            memory's Keras mask when not given.
        probability: Float or scalar tensor in [0, 1], the probability of
            reading the previous prediction. Defaults to `0.0`.
        training: Python boolean, passed to the decoder's cell (dropout).

    Returns:
        Logits `(batch, steps, vocab_size)`, whose Keras mask is
        `target_ids != 0`.

    Raises:
        ValueError: if `decoder` is not an `AttentionDecoder`, `embedding` or
            `output_layer` is not a layer, or `sampling` or `seed` is invalid.

    Example:

    ```python
    embedding = keras.layers.Embedding(30, 8, mask_zero=True)
    decoder = seqkeras.layers.AttentionDecoder(
        seqkeras.layers.LSTMCell(16), seqkeras.layers.BahdanauAttention(16)
    )
    sampled = seqkeras.layers.ScheduledSamplingDecoder(
        decoder, embedding, keras.layers.Dense(30)
    )
    memory = keras.random.normal((2, 9, 24))
    target_ids = keras.ops.array([[2, 5, 6, 7], [2, 9, 0, 0]])
    logits = sampled(target_ids, memory, probability=0.25, training=True)  # (2, 4, 30)
    ```

    References:
        - [Bengio et al., 2015](https://arxiv.org/abs/1506.03099)
    """

    def __init__(self, decoder, embedding, output_layer, sampling="argmax", seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(decoder, AttentionDecoder):
            raise invalid("decoder", "a seqkeras.layers.AttentionDecoder", decoder)
        for name, layer in [("embedding", embedding), ("output_layer", output_layer)]:
            if not isinstance(layer, keras.layers.Layer):
                raise invalid(name, "a Keras layer", layer)
        self.decoder = decoder
        self.embedding = embedding
        self.output_layer = output_layer
        self.sampling = check_choice("sampling", sampling, SAMPLING)
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def build(self, target_ids_shape, memory_shape=None):
        if memory_shape is None:
            raise ValueError(
                "ScheduledSamplingDecoder is called as `layer(target_ids, memory)`; "
                "got no `memory`."
            )
        # The layers may be a built model's, already built (and locked).
        if not self.embedding.built:
            self.embedding.build(target_ids_shape)
        inputs = self.embedding.compute_output_spec(keras.KerasTensor(target_ids_shape, "int32"))
        if not self.decoder.built:
            self.decoder.build(inputs.shape, memory_shape)
        outputs = self.decoder.compute_output_spec(inputs, keras.KerasTensor(memory_shape))[0]
        if not self.output_layer.built:
            self.output_layer.build(outputs.shape)
        # The number of logits, which the sampling noise needs.
        self._logits_size = self.output_layer.compute_output_spec(outputs).shape[-1]

    def call(
        self,
        target_ids,
        memory,
        initial_state=None,
        memory_mask=None,
        probability=0.0,
        training=None,
    ):
        decoder = self.decoder
        batch, steps = ops.shape(target_ids)[0], ops.shape(target_ids)[1]
        memory_dim = memory.shape[-1]
        truth = self.embedding(target_ids)
        states = _complete_states(decoder, initial_state, batch, memory_dim)
        keys = decoder.attention.project_memory(memory, memory_mask)
        # Every random draw is made here, outside the loop, so that the loop
        # body stays free of random state (and compiles with XLA).
        # (Under mixed precision Keras hands a float `probability` over in
        # the compute dtype.)
        probability = ops.cast(probability, "float32")
        reads_prediction = ops.logical_and(
            keras.random.uniform((batch, steps), seed=self.seed_generator) < probability,
            ops.arange(steps)[None, :] > 0,  # the first step reads <start>
        )
        # Keras's loop takes one tensor per step: the true input, the coin
        # and, for "sample", the noise, side by side.
        embedding_dim = truth.shape[-1]
        sequences = [truth, ops.cast(reads_prediction, truth.dtype)[:, :, None]]
        if self.sampling == "sample":
            sequences.append(ops.cast(self._gumbel_noise(batch, steps), truth.dtype))
        sequences = ops.concatenate(sequences, axis=-1)
        # What a prediction feeds back: the embedding of every id the logits
        # score, looked up once. No gradient flows through it, as in Bengio
        # et al.: the embedding learns from the true tokens only, so its
        # gradient stays the sparse one of teacher forcing (Adam treats a
        # sparse gradient differently), and the loop, which never reads the
        # embedding's variables, accumulates no dense gradient for them.
        fed_embeddings = ops.stop_gradient(self.embedding(ops.arange(self._logits_size)))

        def loop_step(inputs_t, step_states):
            *decoder_states, prediction = step_states
            reads = inputs_t[:, embedding_dim : embedding_dim + 1] > 0
            inputs = ops.where(reads, prediction, inputs_t[:, :embedding_dim])
            output, new_states, _ = decoder.step(
                inputs, list(decoder_states), memory, keys, memory_mask, training
            )
            scores = self.output_layer(output)
            if self.sampling == "sample":
                # The Gumbel-max trick: argmax(logits + Gumbel noise) is a
                # sample of softmax(logits).
                noise = inputs_t[:, embedding_dim + 1 :]
                scores = scores + ops.cast(noise, scores.dtype)
            prediction = ops.take(fed_embeddings, ops.argmax(scores, axis=-1), axis=0)
            return output, [*new_states, prediction]

        # One dropout mask per sequence, as the decoder's own loop draws.
        with decoder.dropout_masks_for_loop(truth[:, 0], states, training):
            _, outputs, _ = run_step_loop(
                loop_step,
                sequences,
                [*states, ops.zeros_like(truth[:, 0])],
                ops.not_equal(target_ids, 0),
                state_size=decoder.state_sizes(memory_dim) + [embedding_dim],
                dtype=decoder.dtype_policy,
            )
        # The logits of the whole sequence at once, as the teacher-forced
        # model computes them: with probability 0 they are the same numbers.
        return self.output_layer(outputs)

    def _gumbel_noise(self, batch, steps):
        uniform = keras.random.uniform(
            (batch, steps, self._logits_size),
            minval=1e-20,
            maxval=1.0,
            dtype="float32",
            seed=self.seed_generator,
        )
        return -ops.log(-ops.log(uniform))

    def compute_mask(
        self, target_ids, memory=None, initial_state=None, memory_mask=None, mask=None
    ):
        return ops.not_equal(target_ids, 0)

    def compute_output_spec(
        self,
        target_ids,
        memory,
        initial_state=None,
        memory_mask=None,
        probability=0.0,
        training=None,
    ):
        inputs = self.embedding.compute_output_spec(target_ids)
        outputs = self.decoder.compute_output_spec(inputs, memory)[0]
        return self.output_layer.compute_output_spec(outputs)

    def get_config(self):
        config = {
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "embedding": keras.saving.serialize_keras_object(self.embedding),
            "output_layer": keras.saving.serialize_keras_object(self.output_layer),
            "sampling": self.sampling,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("decoder", "embedding", "output_layer"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


def _complete_states(decoder, initial_state, batch, memory_dim):
    """The decoder's full state list: given states, then zeros for the rest."""
    zeros = decoder.get_initial_state(batch, memory_dim)
    if initial_state is None:
        return zeros
    given = list(tree.flatten(initial_state))
    if len(given) not in (len(zeros) - 1, len(zeros)):
        raise ValueError(
            "Received an invalid value for `initial_state`: expected the decoder's "
            f"{len(zeros) - 1} cell state(s), optionally followed by the attention "
            f"vector; got {len(given)} tensor(s)."
        )
    return given + zeros[len(given) :]
