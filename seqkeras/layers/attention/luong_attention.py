"""Luong (multiplicative) attention."""

import keras
from keras import ops

from seqkeras.layers.attention.attention_masking import zero_masked
from seqkeras.layers.attention.memory_attention import MemoryAttention
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_optional_positive_int

#: The score functions of Luong, Pham & Manning (2015), section 3.1.
SCORES = ("dot", "general", "concat")


@keras.saving.register_keras_serializable(package="seqkeras")
class LuongAttention(MemoryAttention):
    """Attention of a query over a memory with Luong et al.'s scores (2015).

    For the query `h_t` and every memory position `s` (`h_s`) the score is
    one of

    - `"dot"`: `score_s = h_t . h_s`;
    - `"general"`: `score_s = h_t . (W_a h_s)`;
    - `"concat"`: `score_s = v_a . tanh(W_a [h_t; h_s])`;

    with `scale=True` the score is multiplied by a learned scalar `g`
    (initialised to 1), as in `tfa.seq2seq.LuongAttention(scale=True)`. The
    alignments are the softmax of the scores over the unmasked positions and
    the context is the alignment-weighted sum of the memory.

    Weights carry the names TensorFlow Addons and `BahdanauAttention` use:
    `"general"` has the dense sublayer `memory_layer` (kernel
    `(memory_dim, query_dim)`, no bias: TFA's `LuongAttention`); `"concat"`
    splits `W_a` into `query_layer` (`(query_dim, units)`) and
    `memory_layer` (`(memory_dim, units)`), both without bias, beside the
    vector `attention_v` (`(units,)`), so its score is
    `BahdanauAttention`'s unnormalised one; `"dot"` has no weights. With
    `scale=True` the scalar is `attention_g`. `score="dot"` computes what
    `keras.layers.Attention(use_scale=scale)` computes with the memory as
    both value and key.

    Masked memory positions get an alignment of exactly zero, and the memory
    at those positions is zeroed before it is used, so padded content never
    reaches the context.

    Args:
        units: Optional positive integer. For `"dot"` and `"general"` the
            scores are dot products with the query, so `units` is the
            query's size: when given it must equal it (and, for `"dot"`,
            the memory's size). For `"concat"` it is the size of `W_a`'s
            output. Defaults to `None`: the query's size.
        score: `"dot"`, `"general"` or `"concat"`. Defaults to `"general"`.
        scale: Boolean, whether to multiply the scores by a learned scalar.
            Defaults to `False`.
        kernel_initializer: Initializer for the kernels and for
            `attention_v`. Defaults to `"glorot_uniform"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        query: Tensor of shape `(batch, query_dim)` for one decoder step, or
            `(batch, query_steps, query_dim)` for a whole sequence of queries.
        memory: Tensor of shape `(batch, memory_steps, memory_dim)`.
        memory_mask: Optional boolean tensor `(batch, memory_steps)`, `True`
            where the memory holds real content. Taken from the memory's Keras
            mask when not given.

    Returns:
        A tuple `(context, alignments)`: `context` has shape
        `(batch, memory_dim)` and `alignments` `(batch, memory_steps)` for a
        2-D query; for a 3-D query they gain a `query_steps` axis after the
        batch axis.

    Raises:
        ValueError: if `units` is not a positive integer or `None`, `score`
            is not one of the three, or (when built) `units` or the memory's
            size does not fit the query as the score needs.

    Example:

    ```python
    attention = seqkeras.layers.LuongAttention(score="general", scale=True)
    memory = keras.random.normal((2, 7, 32))
    query = keras.random.normal((2, 24))
    context, alignments = attention(query, memory)  # (2, 32), (2, 7)
    ```

    References:
        - [Luong, Pham & Manning, 2015](https://arxiv.org/abs/1508.04025)
    """

    def __init__(
        self,
        units=None,
        score="general",
        scale=False,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_optional_positive_int("units", units)
        self.score = check_choice("score", score, SCORES)
        self.scale = bool(scale)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.query_layer = None
        self.memory_layer = None
        self.supports_masking = True

    def build(self, query_shape, memory_shape=None):
        if memory_shape is None:
            raise ValueError(
                "LuongAttention is called as `attention(query, memory)`; got no `memory`."
            )
        query_dim, memory_dim = query_shape[-1], memory_shape[-1]
        if self.score != "concat" and self.units not in (None, query_dim):
            raise ValueError(
                f"Received an invalid value for `units`: LuongAttention(score="
                f"{self.score!r}) takes dot products with the query, so `units` must "
                f"be the query's size, {query_dim}, or None; got {self.units!r}."
            )
        if self.score == "dot" and query_dim != memory_dim:
            raise ValueError(
                "LuongAttention(score='dot') needs a query and a memory of one size; "
                f"got query size {query_dim} and memory size {memory_dim}. Use "
                "score='general' or 'concat' to learn a projection between them."
            )
        # The sublayers' sizes come from the query when `units` is None, so
        # they are made here, as `keras.layers.MultiHeadAttention` does.
        # Made in BahdanauAttention's order, so `set_weights` lists match.
        depth = self.units or query_dim
        if self.score == "concat" and self.query_layer is None:
            self.query_layer = self._projection(depth, "query_layer")
            self.query_layer.build(query_shape)
        if self.score != "dot" and self.memory_layer is None:
            self.memory_layer = self._projection(depth, "memory_layer")
            self.memory_layer.build(memory_shape)
        if self.score == "concat":
            self.attention_v = self.add_weight(
                name="attention_v", shape=(depth,), initializer=self.kernel_initializer
            )
        if self.scale:
            self.attention_g = self.add_weight(name="attention_g", shape=(), initializer="ones")

    def _projection(self, units, name):
        return keras.layers.Dense(
            units,
            use_bias=False,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name=name,
        )

    def project_memory(self, memory, memory_mask=None):
        """Returns the memory's keys, shape `(batch, steps, units)`.

        `W_a h_s` for `"general"`, the memory's half of `W_a [h_t; h_s]` for
        `"concat"`, the (zero-masked) memory itself for `"dot"`. A decoder
        computes them once and passes them to `attend` at every step.
        """
        memory = zero_masked(memory, memory_mask)
        if self.memory_layer is None:
            return memory
        return self.memory_layer(memory)

    def attend(self, query, memory, keys, memory_mask=None):
        """Attention of a 2-D or 3-D `query` given precomputed `keys`.

        Same results as calling the layer; see the class docstring.
        """
        one_step = len(query.shape) == 2
        if self.score == "concat":
            # Projected before it gains its axis, as in BahdanauAttention:
            # XLA cannot compile the gradient of `Dense` on a 3-D input of
            # unknown length inside a decoder's loop.
            projected = self.query_layer(query)
            if one_step:
                projected = ops.expand_dims(projected, 1)
            # (B, Tq, 1, U) + (B, 1, Tm, U) -> (B, Tq, Tm, U)
            hidden = ops.tanh(ops.expand_dims(projected, 2) + ops.expand_dims(keys, 1))
            scores = ops.sum(self.attention_v * hidden, axis=-1)
        else:
            queries = ops.expand_dims(query, 1) if one_step else query
            scores = ops.matmul(queries, ops.transpose(keys, (0, 2, 1)))  # (B, Tq, Tm)
        if self.scale:
            scores = self.attention_g * scores
        return self.read_memory(scores, memory, memory_mask, one_step)

    def get_config(self):
        config = {
            "units": self.units,
            "score": self.score,
            "scale": self.scale,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
        return {**super().get_config(), **config}
