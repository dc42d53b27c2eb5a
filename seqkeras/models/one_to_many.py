"""One-to-many: image features in, a token sequence (a caption) out."""

from typing import Optional
from typing import Sequence
from typing import Union

import keras

from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.one_to_many_model import OneToManyModel


def build_one_to_many(
    target_vocab_size: int,
    feature_shape: Sequence[int],
    *,
    image_encoder: Optional[keras.layers.Layer] = None,
    embedding_dim: int = 64,
    cell: str = "lstm",
    units: int = 128,
    num_layers: int = 1,
    attention: Union[str, AttentionOptions] = "bahdanau",
    attention_units: Optional[int] = None,
    normalize_attention: bool = False,
    attention_score: Optional[str] = None,
    scale_attention: bool = False,
    attention_layer_units: Optional[int] = None,
    attention_layer_activation: str = "tanh",
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    name: str = "one_to_many",
) -> OneToManyModel:
    """Builds a captioning model: image features condition a token decoder.

    The features are projected to `units` (`feature_projection`) and set the
    decoder's initial state through a `tanh` bridge. With a spatial grid
    `feature_shape=(height, width, depth)` the decoder attends over the
    `height * width` positions at every step ("show, attend and tell"), each
    position carrying a learned position embedding; with
    a vector `feature_shape=(depth,)` the projected vector is a memory of one
    position, so besides setting the initial state it is fed to the decoder
    at every step. The model maps `{"features": (batch, *feature_shape),
    "target_ids": (batch, steps)}` — `<start>` + caption, 0 = padding — to
    per-step logits `(batch, steps, target_vocab_size)`.

    With an `image_encoder` (`build_image_encoder`, or any Keras model from
    images to a `(h, w, depth)` grid) the model takes raw images
    `feature_shape=(height, width, 3)`, pixels 0-255, as `features`; the
    encoder is part of the model (trained with it unless frozen, saved
    with it) and its grid is the attention memory.

    For generation, `model.inference_models()` returns an encoder and a
    one-step decoder sharing this model's weights, also after the model is
    reloaded from a `.keras` file.

    Args:
        target_vocab_size: Positive integer, caption vocabulary size.
        feature_shape: `(depth,)` for a feature vector or
            `(height, width, depth)` for a spatial grid; with an
            `image_encoder`, the images' `(height, width, 3)`.
        image_encoder: Optional Keras model from images to a feature grid.
            Defaults to `None`: the model takes the features.
        embedding_dim: Size of token embeddings. Defaults to `64`.
        cell: `"lstm"`, `"gru"` or `"vanilla"`. Defaults to `"lstm"`.
        units: Units of the decoder cells and of the feature projection.
            Defaults to `128`.
        num_layers: Number of stacked decoder cells. Defaults to `1`.
        attention: `"bahdanau"` (`seqkeras.layers.BahdanauAttention`),
            `"luong"` (`seqkeras.layers.LuongAttention`), or a
            `seqkeras.models.AttentionOptions` holding the kind and every
            option below (which are then left at their defaults). Defaults
            to `"bahdanau"`.
        attention_units: Size of the attention (Bahdanau, Luong `"concat"`).
            Defaults to `units`.
        normalize_attention: Use the weight-normalised Bahdanau score.
            Defaults to `False`.
        attention_score: Luong's score, `"dot"`, `"general"` or `"concat"`
            (the memory has `units` features, so all three fit); `None` is
            `"general"`. Defaults to `None`.
        scale_attention: Multiply Luong's scores by a learned scalar.
            Defaults to `False`.
        attention_layer_units: Optional size of an attention layer
            `tanh(W [h; c])` (Luong's attentional hidden state). Defaults to
            `None`.
        attention_layer_activation: `"tanh"` or `"linear"` (TensorFlow
            Addons' `attention_layer_size`). Defaults to `"tanh"`.
        dropout: Input dropout of the decoder cells. Defaults to `0.`.
        recurrent_dropout: Recurrent dropout. Defaults to `0.`.
        name: Model name. Defaults to `"one_to_many"`.

    Returns:
        A `seqkeras.models.OneToManyModel`, a functional `keras.Model`
        producing logits.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    model = seqkeras.models.build_one_to_many(20, (4, 4, 16), units=32)
    encoder = seqkeras.models.build_image_encoder("cnn", (64, 64))
    captioner = seqkeras.models.build_one_to_many(20, (64, 64, 3), image_encoder=encoder)
    ```

    References:
        - [Vinyals et al., 2015](https://arxiv.org/abs/1411.4555)
        - [Xu et al., 2015](https://arxiv.org/abs/1502.03044)
    """
    return OneToManyModel(
        target_vocab_size,
        feature_shape,
        image_encoder=image_encoder,
        embedding_dim=embedding_dim,
        cell=cell,
        units=units,
        num_layers=num_layers,
        attention=AttentionOptions.of(
            attention,
            attention_units=attention_units,
            normalize_attention=normalize_attention,
            attention_score=attention_score,
            scale_attention=scale_attention,
            attention_layer_units=attention_layer_units,
            attention_layer_activation=attention_layer_activation,
        ),
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
        name=name,
    )
