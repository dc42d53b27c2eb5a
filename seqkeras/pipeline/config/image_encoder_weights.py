"""Checking `model.image_encoder` before a run starts: its size and its weights.

Pretrained `imagenet` weights are fetched (by Keras, into its cache) while
the data is prepared, so that a machine without internet stops with a
message naming the key before any run folder exists, rather than after.
"""

import socket
from typing import Sequence

from seqkeras.errors import ConfigError
from seqkeras.models.image_encoder import APPLICATIONS
from seqkeras.models.image_encoder import CNN
from seqkeras.models.image_encoder import build_image_encoder
from seqkeras.utils.file_checks import file_problem

#: The smallest image side the keras.applications backbones take.
APPLICATION_MIN_SIZE = 32
#: Seconds a stalled weights download may wait on the network.
DOWNLOAD_TIMEOUT = 60


def check_encoder_weights(encoder, size: Sequence[int]) -> None:
    """Raise `ConfigError` if the encoder of `model.image_encoder` cannot be built.

    `encoder` is the config's `ImageEncoderConfig`, `size` the images'
    `(height, width)`. `imagenet` weights are downloaded here (Keras caches
    them in `~/.keras/models`).
    """
    kind, weights = encoder.kind, encoder.weights
    if kind in APPLICATIONS and min(size) < APPLICATION_MIN_SIZE:
        raise ConfigError(
            f"data.source.size: got {list(size)}; the {kind} encoder takes images of at "
            f"least {APPLICATION_MIN_SIZE}x{APPLICATION_MIN_SIZE} pixels."
        )
    if weights is None:
        return
    if weights == "imagenet":
        if kind == CNN:
            raise ConfigError(
                "model.image_encoder.weights: got 'imagenet', but the cnn encoder has no "
                "pretrained weights; expected null, or the path of a .h5 / .weights.h5 file "
                "of the cnn encoder, or a keras.applications kind such as mobilenet_v3_small."
            )
        _fetch_imagenet(kind, size)
        return
    problem = file_problem(weights)
    if problem is not None:
        what = (
            f"no such file {weights!r}" if problem == "no such file" else f"{weights!r} {problem}"
        )
        raise ConfigError(
            f"model.image_encoder.weights: {what}; expected null, "
            f"imagenet, or the path of a local .h5 / .weights.h5 weights file."
        )
    try:  # loaded here, before any run folder exists, as training would load them
        build_image_encoder(kind, size, weights=weights)
    except Exception as error:  # noqa: BLE001 - h5py, Keras and TensorFlow each raise their own
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(
            f"model.image_encoder.weights: {weights!r} cannot be loaded into the {kind} "
            f"encoder ({reason[:300]}); expected a .h5 / .weights.h5 file of that encoder's "
            f"weights, as Keras saves them."
        ) from None


def _fetch_imagenet(kind: str, size: Sequence[int]) -> None:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        build_image_encoder(kind, size, weights="imagenet")
    except Exception as error:  # noqa: BLE001 - Keras raises a bare Exception on fetch failure
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(
            f"model.image_encoder.weights: the imagenet weights of {kind} could not be "
            f"downloaded ({reason}). Without internet, set `weights: null` to train the "
            f"encoder from scratch, or `weights: <path>` to a local .h5 / .weights.h5 file "
            f"(such as the one Keras saves in ~/.keras/models/ on a machine that can "
            f"download it)."
        ) from None
    finally:
        socket.setdefaulttimeout(previous)
