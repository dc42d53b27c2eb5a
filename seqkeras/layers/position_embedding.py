"""A learned vector per position, added to a sequence of fixed length."""

import keras

from seqkeras.utils.arguments import invalid


@keras.saving.register_keras_serializable(package="seqkeras")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learned embedding of each position to a `(batch, steps, dim)` input.

    Content-based attention cannot tell two identical items at different
    positions apart; adding a position embedding to the memory (for example
    the cells of an image grid) lets the decoder attend by place as well as
    by content.

    Args:
        initializer: Initializer of the `(steps, dim)` embedding matrix.
            Defaults to `"glorot_uniform"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor `(batch, steps, dim)` with a fixed number of steps.

    Returns:
        `inputs` plus the embedding of each position, same shape.

    Raises:
        ValueError: if the number of steps is not known when the layer is
            built.

    Example:

    ```python
    grid = keras.random.normal((2, 16, 32))  # 4x4 cells of 32 features
    with_positions = seqkeras.layers.PositionEmbedding()(grid)
    ```
    """

    def __init__(self, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, input_shape):
        steps = input_shape[-2]
        if steps is None:
            raise invalid("input_shape", "a fixed number of steps", tuple(input_shape))
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(steps, input_shape[-1]),
            initializer=self.initializer,
        )

    def call(self, inputs):
        return inputs + keras.ops.cast(self.embeddings, inputs.dtype)

    def get_config(self):
        config = {"initializer": keras.initializers.serialize(self.initializer)}
        return {**super().get_config(), **config}
