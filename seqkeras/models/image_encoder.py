"""Image encoders: raw pixels in, the feature grid a captioning decoder attends over."""

import dataclasses
from typing import Callable
from typing import Dict
from typing import Optional
from typing import Sequence

import keras

from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid

#: The small convolution stack trained with the decoder.
CNN = "cnn"
#: The default filters of the `cnn` encoder's blocks.
CNN_FILTERS = (32, 64, 128)


@dataclasses.dataclass(frozen=True)
class Application:
    """A `keras.applications` backbone and how it takes 0-255 pixels.

    Attributes:
        constructor: The `keras.applications` function.
        rescale: `(scale, offset)` applied before the backbone, or `None`
            when the backbone preprocesses 0-255 pixels itself.
        options: Further constructor arguments.
    """

    constructor: Callable
    rescale: Optional[tuple] = None
    options: Dict = dataclasses.field(default_factory=dict)


#: The `keras.applications` backbones an image encoder can be, by the name
#: a config gives (`model.image_encoder.kind`).
APPLICATIONS: Dict[str, Application] = {
    "mobilenet_v3_small": Application(
        keras.applications.MobileNetV3Small, options={"include_preprocessing": True}
    ),
    "mobilenet_v3_large": Application(
        keras.applications.MobileNetV3Large, options={"include_preprocessing": True}
    ),
    # MobileNetV2 expects pixels in [-1, 1].
    "mobilenet_v2": Application(keras.applications.MobileNetV2, rescale=(1 / 127.5, -1.0)),
    # EfficientNet rescales and normalises inside.
    "efficientnet_b0": Application(keras.applications.EfficientNetB0),
    "efficientnet_v2_b0": Application(
        keras.applications.EfficientNetV2B0, options={"include_preprocessing": True}
    ),
}
#: Every `kind` of image encoder.
IMAGE_ENCODERS = (CNN, *APPLICATIONS)


def build_image_encoder(
    kind: str,
    image_size: Sequence[int],
    *,
    weights: Optional[str] = None,
    trainable: Optional[bool] = None,
    filters: Sequence[int] = CNN_FILTERS,
    name: str = "image_encoder",
) -> keras.Model:
    """Builds an image encoder: raw pixels in, a feature grid out.

    The encoder takes `(batch, height, width, 3)` pixels with values 0-255
    (as decoded from PNG or JPEG files) and does its own preprocessing, so
    that a model built on it, and its export, take pixels as they are.
    `kind="cnn"` is a small convolution stack (`Rescaling` to [0, 1], then
    per entry of `filters` a 3x3 convolution with ReLU and a 2x2 max
    pooling) trained with the model; any other kind is a
    `keras.applications` backbone without its classifier (`APPLICATIONS`),
    with its own preprocessing. The output is the last feature grid
    `(batch, h, w, depth)`, which `build_one_to_many(image_encoder=...)`
    attends over.

    Args:
        kind: `"cnn"` or a name in `APPLICATIONS` (`"mobilenet_v3_small"`,
            `"mobilenet_v2"`, `"efficientnet_b0"`, ...).
        image_size: `(height, width)` of the images.
        weights: `None` (random initialisation), `"imagenet"` (for the
            applications; downloaded by Keras) or the path of a weights file
            (`.h5` or `.weights.h5`). Defaults to `None`.
        trainable: Whether the encoder's weights train. Defaults to `None`:
            they train unless `weights` are given.
        filters: Filters of the `cnn` blocks. Defaults to `(32, 64, 128)`.
        name: Model name. Defaults to `"image_encoder"`.

    Returns:
        A functional `keras.Model`.

    Raises:
        ValueError: for an invalid argument; the message names it.

    Example:

    ```python
    encoder = seqkeras.models.build_image_encoder("cnn", (64, 64))
    model = seqkeras.models.build_one_to_many(20, (64, 64, 3), image_encoder=encoder)
    ```
    """
    if kind not in IMAGE_ENCODERS:
        raise invalid("kind", f"one of {', '.join(IMAGE_ENCODERS)}", kind)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise invalid("image_size", "(height, width)", image_size)
    for size in image_size:
        check_positive_int("image_size", size)
    if not isinstance(filters, (list, tuple)) or not filters:
        raise invalid("filters", "a non-empty list of positive integers", filters)
    for count in filters:
        check_positive_int("filters", count)
    if kind == CNN and weights == "imagenet":
        raise invalid("weights", "None or a weights file for the 'cnn' encoder", weights)
    pixels = keras.Input((*image_size, 3), name="pixels")
    if kind == CNN:
        grid = keras.layers.Rescaling(1 / 255, name="rescaling")(pixels)
        for block, count in enumerate(filters):
            grid = keras.layers.Conv2D(
                count, 3, padding="same", activation="relu", name=f"conv_{block}"
            )(grid)
            grid = keras.layers.MaxPooling2D(2, padding="same", name=f"pool_{block}")(grid)
        encoder = keras.Model(pixels, grid, name=name)
        if weights is not None:
            encoder.load_weights(weights)
    else:
        application = APPLICATIONS[kind]
        inputs = pixels
        if application.rescale is not None:
            scale, offset = application.rescale
            inputs = keras.layers.Rescaling(scale, offset=offset, name="rescaling")(pixels)
        backbone = application.constructor(
            input_shape=(*image_size, 3),
            include_top=False,
            weights=weights,
            **application.options,
        )
        encoder = keras.Model(pixels, backbone(inputs), name=name)
    encoder.trainable = weights is None if trainable is None else bool(trainable)
    return encoder
