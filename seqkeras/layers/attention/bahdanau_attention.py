"""Bahdanau (additive) attention."""

import math

import keras
from keras import ops

from seqkeras.layers.attention.attention_masking import zero_masked
from seqkeras.layers.attention.memory_attention import MemoryAttention
from seqkeras.utils.arguments import check_positive_int


@keras.saving.register_keras_serializable(package="seqkeras")
class BahdanauAttention(MemoryAttention):
    """Additive attention of a query over a memory (Bahdanau et al., 2015).

    For every memory position `j` the score is
    `score_j = v . tanh(W_m m_j + W_q q)`; the alignments are the softmax of
    the scores over the unmasked positions, and the context is the
    alignment-weighted sum of the memory. With `normalize=True` the score uses
    the weight-normalised form of `tfa.seq2seq.BahdanauAttention`:
    `score_j = (g * v / ||v||) . tanh(W_m m_j + W_q q + b)`.

    Weights carry the names TensorFlow Addons used, so weights of a migrated
    model move over one to one: the dense sublayers `query_layer` (kernel
    `(Hq, units)`) and `memory_layer` (kernel `(Hm, units)`), both without
    bias, the vector `attention_v` `(units,)`, and with `normalize=True` the
    scalar `attention_g` and the vector `attention_b` `(units,)`.

    Masked memory positions get an alignment of exactly zero, and the memory
    at those positions is zeroed before it is used, so padded content never
    reaches the context.

    Args:
        units: Positive integer, size of the attention projection.
        normalize: Boolean, whether to use the weight-normalised score.
            Defaults to `False`.
        kernel_initializer: Initializer for the `query_layer` and
            `memory_layer` kernels and for `attention_v`. Defaults to
            `"glorot_uniform"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        query: Tensor of shape `(batch, query_dim)` for one decoder step, or
            `(batch, query_steps, query_dim)` for a whole sequence of queries
            (for example a teacher-forced decoder).
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
        ValueError: if `units` is not a positive integer.

    Example:

    ```python
    attention = seqkeras.layers.BahdanauAttention(16)
    memory = keras.random.normal((2, 7, 32))
    query = keras.random.normal((2, 24))
    context, alignments = attention(query, memory)  # (2, 32), (2, 7)
    ```

    References:
        - [Bahdanau et al., 2015](https://arxiv.org/abs/1409.0473)
        - [Salimans & Kingma, 2016](https://arxiv.org/abs/1602.07868)
          (weight normalisation)
    """

    def __init__(
        self,
        units,
        normalize=False,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        self.normalize = bool(normalize)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.query_layer = keras.layers.Dense(
            units,
            use_bias=False,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="query_layer",
        )
        self.memory_layer = keras.layers.Dense(
            units,
            use_bias=False,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="memory_layer",
        )
        self.supports_masking = True

    def build(self, query_shape, memory_shape=None):
        if memory_shape is None:
            raise ValueError(
                "BahdanauAttention is called as `attention(query, memory)`; got no `memory`."
            )
        if not self.query_layer.built:
            self.query_layer.build(query_shape)
        if not self.memory_layer.built:
            self.memory_layer.build(memory_shape)
        self.attention_v = self.add_weight(
            name="attention_v",
            shape=(self.units,),
            initializer=self.kernel_initializer,
        )
        if self.normalize:
            self.attention_g = self.add_weight(
                name="attention_g",
                shape=(),
                initializer=keras.initializers.Constant(math.sqrt(1.0 / self.units)),
            )
            self.attention_b = self.add_weight(
                name="attention_b", shape=(self.units,), initializer="zeros"
            )

    def project_memory(self, memory, memory_mask=None):
        """Returns the memory's keys `W_m m`, shape `(batch, steps, units)`.

        A decoder computes them once and passes them to `attend` at every
        step instead of projecting the memory again.
        """
        return self.memory_layer(zero_masked(memory, memory_mask))

    def attend(self, query, memory, keys, memory_mask=None):
        """Attention of a 2-D or 3-D `query` given precomputed `keys`.

        Same results as calling the layer; see the class docstring.
        """
        # A 2-D query is projected before it gains its axis: `Dense` on a
        # 3-D input of unknown length is a `tensordot` whose gradient XLA
        # cannot compile inside a decoder's loop.
        projected = self.query_layer(query)
        one_step = len(query.shape) == 2
        if one_step:
            projected = ops.expand_dims(projected, 1)
        # (B, Tq, 1, U) + (B, 1, Tm, U) -> (B, Tq, Tm, U)
        hidden = ops.expand_dims(projected, 2) + ops.expand_dims(keys, 1)
        v = self.attention_v
        if self.normalize:
            hidden = hidden + self.attention_b
            v = self.attention_g * v / ops.sqrt(ops.sum(ops.square(v)))
        scores = ops.sum(v * ops.tanh(hidden), axis=-1)  # (B, Tq, Tm)
        return self.read_memory(scores, memory, memory_mask, one_step)

    def get_config(self):
        config = {
            "units": self.units,
            "normalize": self.normalize,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
        return {**super().get_config(), **config}
