"""Export a captioning model: image features in, caption strings out."""

from typing import Optional

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.export.attention_generator import AttentionGenerator
from seqkeras.export.check import check_reloaded
from seqkeras.export.saved_model_writer import write_saved_model


def export_caption(
    model: keras.Model,
    target_vocab: Vocabulary,
    path: str,
    *,
    max_length: int,
    beam_width: int = 4,
    length_penalty_alpha: float = 0.6,
    check_inputs: Optional[np.ndarray] = None,
) -> str:
    """Write a SavedModel that captions image features, with no seqkeras needed.

    Same signatures as `export_seq2seq` (`serving_default`, `beam_search`,
    `encode`, `step`), except that `inputs` is a `float32` tensor shaped like
    the model's `features` input (a feature vector or a grid), and
    `attention` is over the memory positions (grid cells).

    Args:
        model: A `seqkeras.models.build_one_to_many` model.
        target_vocab: The caption `seqkeras.data.Vocabulary`.
        path: Directory to write; an earlier export there is replaced.
        max_length: Most caption tokens generated.
        beam_width: Beam width of `beam_search`. Defaults to `4`.
        length_penalty_alpha: GNMT length penalty of `beam_search`.
            Defaults to `0.6`.
        check_inputs: Features to check the export with. Defaults to
            `None`: three seeded random feature tensors.

    Returns:
        The absolute path of the export.

    Raises:
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    feature_shape = tuple(model.input["features"].shape[1:])
    generator = AttentionGenerator(
        model,
        target_vocab,
        lambda features: features,
        max_length=max_length,
        beam_width=beam_width,
        length_penalty_alpha=length_penalty_alpha,
    )
    spec = tf.TensorSpec((None, *feature_shape), tf.float32, name="inputs")
    signatures = generator.signatures(spec)
    if check_inputs is None:
        check_inputs = np.random.default_rng(0).normal(size=(3, *feature_shape))
    check_inputs = np.asarray(check_inputs, "float32")

    def check(staging):
        for signature, strategy in (("serving_default", "greedy"), ("beam_search", "beam")):
            expected = generator.reference(check_inputs, strategy, target_vocab)
            check_reloaded(staging, signature, {"inputs": check_inputs}, expected)

    info = {
        "kind": "caption",
        "inputs": f"float32 {list(feature_shape)}",
        "signatures": sorted(signatures),
        "max_length": max_length,
        "beam_width": beam_width,
        "length_penalty_alpha": length_penalty_alpha,
    }
    return write_saved_model(generator, path, signatures, check=check, info=info)
