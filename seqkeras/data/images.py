"""Image files: decoding and resizing in the graph, and checking files up front."""

import pathlib
import re
import warnings
from typing import List
from typing import Optional
from typing import Sequence

import numpy as np
import tensorflow as tf

from seqkeras.utils.file_checks import file_problem

#: Channels every decoded image has (grey and RGBA images are converted).
CHANNELS = 3
#: Most pixels an image may declare, by default (Pillow's own bound): a small
#: compressed file can declare gigapixels, which decoding would allocate.
MAX_PIXELS = 89_478_485


def decode_image(contents: tf.Tensor, size: Sequence[int]) -> tf.Tensor:
    """The pixels of a PNG, JPEG, GIF or BMP file's contents, resized.

    Graph code (tf.data maps and exports run it): the first frame of an
    animation, converted to RGB, resized bilinearly to `size`.

    Args:
        contents: A scalar `tf.string`, the file's bytes.
        size: `(height, width)`.

    Returns:
        A `(height, width, 3)` `float32` tensor of values 0-255.
    """
    image = tf.io.decode_image(contents, channels=CHANNELS, expand_animations=False)
    image.set_shape([None, None, CHANNELS])
    return tf.image.resize(tf.cast(image, tf.float32), size)


def decode_images(contents: tf.Tensor, size: Sequence[int]) -> tf.Tensor:
    """`decode_image` over a 1-D `tf.string` batch: `(batch, height, width, 3)`."""
    height, width = size
    return tf.map_fn(
        lambda one: decode_image(one, size),
        contents,
        fn_output_signature=tf.TensorSpec((height, width, CHANNELS), tf.float32),
    )


def read_images(paths: Sequence[str], size: Sequence[int]) -> np.ndarray:
    """The images at `paths`, decoded as `decode_image` does: `(N, h, w, 3)`."""
    height, width = size
    if not len(paths):
        return np.zeros((0, height, width, CHANNELS), "float32")
    return np.stack([decode_image(tf.io.read_file(str(p)), size).numpy() for p in paths])


def image_problem(path: pathlib.Path, max_pixels: int = MAX_PIXELS) -> Optional[str]:
    """Why the image file at `path` cannot be used, or `None` if it decodes.

    The header is read first: an image declaring more than `max_pixels`
    pixels is refused before anything is decoded.
    """
    problem = file_problem(path)
    if problem is not None:
        return problem
    pixels, described = _declared_pixels(path)
    if pixels is None:
        return f"cannot be decoded as an image (PNG, JPEG, GIF or BMP): {described}"
    if pixels > max_pixels:
        return (
            f"declares {described}, more than the {max_pixels:,} pixels allowed "
            f"(data.source.max_pixels)"
        )
    try:
        tf.io.decode_image(tf.io.read_file(str(path)), channels=CHANNELS, expand_animations=False)
    except (tf.errors.InvalidArgumentError, tf.errors.UnknownError) as error:
        return f"cannot be decoded as an image (PNG, JPEG, GIF or BMP): {_reason(error)}"
    return None


def _declared_pixels(path):
    """`(pixels, "WxH pixels")` from the image's header (nothing decoded), or `(None, why)`."""
    from PIL import Image

    with warnings.catch_warnings():
        # Past Pillow's own bound it warns, then refuses: the count is what matters here.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                return width * height, f"{width}x{height} pixels"
        except Image.DecompressionBombError as error:
            # "Image size (400000000 pixels) exceeds limit of ...": no width and height.
            pixels = int(re.findall(r"\d+", str(error))[0])
            return pixels, f"{pixels:,} pixels"
        except (OSError, ValueError, SyntaxError) as error:  # Pillow's "not an image"
            return None, str(error).split(" '")[0] or type(error).__name__


def _reason(error) -> str:
    """TensorFlow's message without its graph-function wrappers."""
    message = re.sub(r"\{\{function_node [^}]*\}\}", "", error.message or "")
    return message.strip().splitlines()[0] if message.strip() else "unknown error"


class ImageFiles:
    """Image files read on demand: `files[a:b]` decodes those images.

    Lets generation run over many images a batch at a time without
    holding them all in memory.

    Args:
        paths: The image files.
        size: `(height, width)` to resize to.
    """

    def __init__(self, paths: Sequence[str], size: Sequence[int]):
        self.paths: List[str] = [str(p) for p in paths]
        self.size = tuple(size)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index) -> np.ndarray:
        if isinstance(index, slice):
            return read_images(self.paths[index], self.size)
        return read_images([self.paths[index]], self.size)[0]
