"""Export a captioning model: images (or image features) in, caption strings out."""

from typing import Optional
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.data.images import decode_image
from seqkeras.data.images import decode_images
from seqkeras.decoding import DecodingStrategy
from seqkeras.export.attention_generator import attention_endpoints
from seqkeras.export.check import check_reloaded
from seqkeras.export.generation_endpoints import GenerationEndpoints
from seqkeras.export.manifest import ExportManifest
from seqkeras.export.manifest import describe_input
from seqkeras.export.saved_model_writer import write_saved_model

#: The named signature of an image captioner that takes decoded pixels.
PIXELS_SIGNATURE = "pixels"


def export_caption(
    model: keras.Model,
    target_vocab: Vocabulary,
    path: str,
    *,
    strategy: DecodingStrategy,
    check_inputs: Optional[np.ndarray] = None,
    input_notes: Optional[dict] = None,
) -> str:
    """Write a SavedModel that captions images or image features, with no seqkeras needed.

    Same signatures as `export_seq2seq` (`serving_default` with `strategy`,
    `greedy`, `beam_search`, `sample`, `encode`, `step`), except that
    `inputs` is a `float32` tensor shaped like the model's `features` input
    (a feature vector or a grid), and `attention` is over the memory
    positions (grid cells).

    A model with an image encoder (`build_one_to_many(image_encoder=...)`)
    takes images as files hold them instead: `inputs` is a 1-D `tf.string`
    tensor of PNG or JPEG file contents, decoded (RGB) and resized
    (bilinear) to the model's image size in the graph, as training read
    them. Its `pixels` signature takes decoded images instead, `float32`
    `(batch, height, width, 3)` of values 0-255, and decodes with
    `strategy` as `serving_default` does.

    Args:
        model: A `seqkeras.models.build_one_to_many` model.
        target_vocab: The caption `seqkeras.data.Vocabulary`.
        path: Directory to write; an earlier export there is replaced.
        strategy: The `seqkeras.decoding.DecodingStrategy` of
            `serving_default`.
        check_inputs: Features (or, for images, a list of encoded image
            files' bytes) to check the export with. Defaults to `None`:
            three seeded random feature tensors (or PNG images).
        input_notes: What feature inputs are (`units`, `range`), recorded
            in `seqkeras_export.json` beside their dtype and shape.
            Defaults to `None`.

    Returns:
        The absolute path of the export.

    Raises:
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    if getattr(model, "image_encoder", None) is not None:
        return _export_image_captioner(model, target_vocab, path, strategy, check_inputs)
    feature_shape = tuple(model.input["features"].shape[1:])
    spec = tf.TensorSpec((None, *feature_shape), tf.float32, name="inputs")
    generation, endpoints = attention_endpoints(
        model, target_vocab, lambda features: features, strategy, spec
    )
    if check_inputs is None:
        check_inputs = np.random.default_rng(0).normal(size=(3, *feature_shape))
    check_inputs = np.asarray(check_inputs, "float32")

    def check(staging):
        generation.check(staging, {"inputs": check_inputs}, check_inputs)

    info = ExportManifest(
        kind="caption",
        inputs=f"float32 {list(feature_shape)}",
        input=describe_input(spec, input_notes),
        **generation.info(),
    ).to_json()
    return write_saved_model(
        path, endpoints, resources=[model, generation.codec], check=check, info=info
    )


def _export_image_captioner(
    model: keras.Model,
    target_vocab: Vocabulary,
    path: str,
    strategy: DecodingStrategy,
    check_inputs: Optional[Sequence[bytes]],
) -> str:
    height, width, channels = tuple(model.input["features"].shape[1:])
    size = (height, width)
    files = tf.TensorSpec((None,), tf.string, name="inputs")
    generation, endpoints = attention_endpoints(
        model, target_vocab, lambda contents: decode_images(contents, size), strategy, files
    )
    # The same decoding step and strategy, over pixels given as they are.
    pixels = GenerationEndpoints(
        generation.decoding_step, lambda images: images, target_vocab, strategy, attention=True
    )
    pixel_spec = tf.TensorSpec((None, height, width, channels), tf.float32, name="inputs")
    endpoints[PIXELS_SIGNATURE] = pixels.endpoints(pixel_spec)["serving_default"]
    if check_inputs is None:
        random = np.random.default_rng(0).integers(0, 256, size=(3, height + 3, width, channels))
        check_inputs = [tf.io.encode_png(image.astype("uint8")).numpy() for image in random]
    contents = np.array(list(check_inputs), dtype=object)
    decoded = np.stack([decode_image(c, size).numpy() for c in check_inputs])

    def check(staging):
        generation.check(staging, {"inputs": contents}, decoded)
        check_reloaded(staging, PIXELS_SIGNATURE, {"inputs": decoded}, pixels.reference(decoded))

    info = ExportManifest(
        kind="caption",
        inputs="images",
        image_size=[height, width],
        input=describe_input(
            files,
            form="encoded PNG or JPEG file contents; decoded (RGB) and resized in the export",
            image_size=[height, width],
            pixels=describe_input(
                pixel_spec,
                signature=PIXELS_SIGNATURE,
                units="decoded RGB pixels, already resized",
                range=[0, 255],
            ),
        ),
        pixels=f"float32 [{height}, {width}, {channels}] pixels 0-255, in the "
        f"{PIXELS_SIGNATURE!r} signature",
        **generation.info(),
    ).to_json()
    return write_saved_model(
        path,
        endpoints,
        resources=[model, generation.codec, pixels.codec],
        check=check,
        info=info,
    )
