"""The captioning model that `build_one_to_many` returns."""

from typing import Optional
from typing import Sequence
from typing import Union

import keras

from seqkeras.layers import PositionEmbedding
from seqkeras.models.attention_generator_model import AttentionGeneratorModel
from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.decoder_head import attention_decoder_head
from seqkeras.models.recurrent_stack import bridge_states
from seqkeras.models.recurrent_stack import check_common_options
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid


@keras.saving.register_keras_serializable(package="seqkeras")
class OneToManyModel(AttentionGeneratorModel):
    """A captioning model: image features condition an attending token decoder.

    The functional model `seqkeras.models.build_one_to_many` returns: it
    builds its graph from the builder's arguments, and `get_config()`
    returns them, so a `.keras` file reloads by building the model again.
    For generation, `inference_models()` returns an encoder and a one-step
    decoder sharing its weights.

    Args:
        target_vocab_size: Positive integer, caption vocabulary size.
        feature_shape: `(depth,)` for a feature vector or
            `(height, width, depth)` for a spatial grid; with an
            `image_encoder`, the image's `(height, width, 3)`.
        image_encoder: Optional Keras model (or layer) from raw images to
            the feature grid the decoder attends over, part of the model
            (for example `seqkeras.models.build_image_encoder`). Defaults
            to `None`: the features are given.
        **kwargs: The other arguments of `seqkeras.models.build_one_to_many`,
            under the same names and with the same defaults (`name`
            defaults to `"one_to_many"`), and `keras.Model`'s `trainable`.

    Attributes:
        attention_options: The `seqkeras.models.AttentionOptions` built
            from `attention` and the attention keyword arguments.

    Call arguments:
        inputs: `{"features": (batch, *feature_shape), "target_ids":
            (batch, steps)}`, 0 being padding in `target_ids`; with an
            `image_encoder`, `features` are the raw pixels.

    Returns:
        Logits `(batch, steps, target_vocab_size)`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    model = seqkeras.models.build_one_to_many(20, (4, 4, 16), units=32)
    assert isinstance(model, seqkeras.models.OneToManyModel)
    encoder, step = model.inference_models()
    ```
    """

    def __init__(
        self,
        target_vocab_size: int,
        feature_shape: Sequence[int],
        *,
        image_encoder: Optional[keras.layers.Layer] = None,
        embedding_dim: int = 64,
        cell: str = "lstm",
        units: int = 128,
        num_layers: int = 1,
        attention: Union[str, AttentionOptions] = "bahdanau",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        name: str = "one_to_many",
        **kwargs,
    ):
        # The attention keyword arguments of the builder (and of old `.keras` files).
        options = AttentionOptions.of(attention, **AttentionOptions.pop_keywords(kwargs))
        check_common_options(cell, units, num_layers, dropout, recurrent_dropout)
        feature_shape, image_encoder = _checked_inputs(feature_shape, image_encoder)
        features = keras.Input(feature_shape, name="features")
        target_ids = keras.Input((None,), dtype="int32", name="target_ids")
        grid, grid_shape = _feature_grid(features, image_encoder)
        memory = _attended_memory(grid, grid_shape, units)
        summary = keras.layers.GlobalAveragePooling1D(name="feature_summary")(memory)
        initial_states = bridge_states([summary], cell=cell, units=units, num_layers=num_layers)
        head = attention_decoder_head(
            target_ids,
            features,
            memory,
            initial_states,
            target_vocab_size=target_vocab_size,
            embedding_dim=embedding_dim,
            cell=cell,
            units=units,
            num_layers=num_layers,
            attention=options,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
        )
        super().__init__(
            inputs={"features": features, "target_ids": target_ids},
            head=head,
            name=name,
            **kwargs,
        )
        self.target_vocab_size = target_vocab_size
        self.feature_shape = feature_shape
        # In a list: `image_encoder` is a read-only property.
        self._image_encoder = [image_encoder]
        self.grid_shape = grid_shape
        self.embedding_dim = embedding_dim
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        #: The attention mechanism and its options.
        self.attention_options = options
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout

    @property
    def image_encoder(self) -> Optional[keras.layers.Layer]:
        """The model's image encoder, or `None` when it takes features."""
        return self._image_encoder[0]

    def get_config(self):
        config = {
            "target_vocab_size": self.target_vocab_size,
            "feature_shape": self.feature_shape,
            "image_encoder": None
            if self.image_encoder is None
            else keras.saving.serialize_keras_object(self.image_encoder),
            "embedding_dim": self.embedding_dim,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            **self.attention_options.keywords(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }
        return {**super().get_config(), **config}


def _checked_inputs(feature_shape, image_encoder):
    """`feature_shape` as a tuple and `image_encoder` as a layer, or an error naming them."""
    if isinstance(feature_shape, list):
        # As a `.keras` file's JSON config gives it back.
        feature_shape = tuple(feature_shape)
    if not isinstance(feature_shape, tuple) or len(feature_shape) not in (1, 3):
        raise invalid("feature_shape", "(depth,) or (height, width, depth)", feature_shape)
    for size in feature_shape:
        check_positive_int("feature_shape", size)
    if isinstance(image_encoder, dict):
        # As get_config() gives it.
        image_encoder = keras.saving.deserialize_keras_object(image_encoder)
    if image_encoder is not None and not isinstance(image_encoder, keras.layers.Layer):
        raise invalid("image_encoder", "a Keras model or layer, or None", image_encoder)
    if image_encoder is not None and (len(feature_shape) != 3 or feature_shape[-1] != 3):
        raise invalid("feature_shape", "the images' (height, width, 3)", feature_shape)
    return feature_shape, image_encoder


def _feature_grid(features, image_encoder):
    """The grid the decoder attends over, and its shape: the encoded images, or the features."""
    if image_encoder is None:
        return features, tuple(features.shape[1:])
    grid = image_encoder(features)
    grid_shape = tuple(grid.shape[1:])
    if len(grid_shape) != 3 or None in grid_shape:
        raise invalid(
            "image_encoder",
            "a model whose output is a (height, width, depth) grid",
            f"{image_encoder.name} with output shape {grid.shape}",
        )
    return grid, grid_shape


def _attended_memory(grid, grid_shape, units: int):
    """The grid's cells (or the one feature vector) projected to `units`, a sequence."""
    if len(grid_shape) == 3:
        height, width, depth = grid_shape
        positions = keras.layers.Reshape((height * width, depth), name="grid_positions")(grid)
    else:
        positions = keras.layers.Reshape((1, grid_shape[0]), name="grid_positions")(grid)
    memory = keras.layers.Dense(units, activation="tanh", name="feature_projection")(positions)
    if len(grid_shape) == 3:
        # Lets attention find a cell by its place, not only by its content.
        memory = PositionEmbedding(name="grid_position_embedding")(memory)
    return memory
