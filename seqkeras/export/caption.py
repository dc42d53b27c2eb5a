"""Export a captioning model: image features in, caption strings out."""

from typing import Optional

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStrategy
from seqkeras.export.attention_generator import attention_endpoints
from seqkeras.export.saved_model_writer import write_saved_model


def export_caption(
    model: keras.Model,
    target_vocab: Vocabulary,
    path: str,
    *,
    strategy: DecodingStrategy,
    check_inputs: Optional[np.ndarray] = None,
) -> str:
    """Write a SavedModel that captions image features, with no seqkeras needed.

    Same signatures as `export_seq2seq` (`serving_default` with `strategy`,
    `greedy`, `beam_search`, `sample`, `encode`, `step`), except that
    `inputs` is a `float32` tensor shaped like the model's `features` input
    (a feature vector or a grid), and `attention` is over the memory
    positions (grid cells).

    Args:
        model: A `seqkeras.models.build_one_to_many` model.
        target_vocab: The caption `seqkeras.data.Vocabulary`.
        path: Directory to write; an earlier export there is replaced.
        strategy: The `seqkeras.decoding.DecodingStrategy` of
            `serving_default`.
        check_inputs: Features to check the export with. Defaults to
            `None`: three seeded random feature tensors.

    Returns:
        The absolute path of the export.

    Raises:
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
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

    info = {
        "kind": "caption",
        "inputs": f"float32 {list(feature_shape)}",
        **generation.info(),
    }
    return write_saved_model(
        path, endpoints, resources=[model, generation.codec], check=check, info=info
    )
