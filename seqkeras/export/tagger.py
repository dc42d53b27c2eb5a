"""Export a per-token tagger: strings in, one tag per character (or word) out."""

from typing import Optional
from typing import Sequence

import keras
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.export.attention_generator import default_text_checks
from seqkeras.export.codecs.text_codec import TextCodec
from seqkeras.export.manifest import RAW_STRINGS
from seqkeras.export.manifest import ExportManifest
from seqkeras.export.manifest import describe_input
from seqkeras.export.portable import TOKEN_IDS
from seqkeras.export.portable import PortableCore
from seqkeras.export.portable import probabilities_form
from seqkeras.export.predictor import export_predictor
from seqkeras.export.predictor import pad_ids
from seqkeras.export.predictor import probabilities_of
from seqkeras.utils.arguments import invalid


def export_tagger(
    model: keras.Model,
    vocab: Vocabulary,
    path: str,
    *,
    tags: Sequence[str],
    check_inputs: Optional[Sequence[str]] = None,
    formats: Sequence[str] = (),
) -> str:
    """Write a SavedModel that tags every token of raw strings, without seqkeras.

    `serving_default(inputs)` takes a 1-D `tf.string` tensor and returns
    `outputs` `(batch, steps)` tag names (`""` past each input's end),
    `tokens` `(batch, steps)` the tokens tagged, `scores` the winning
    probabilities (0 past the end), `probabilities`
    `(batch, steps, tags)` and `lengths` (tokens per input).

    Args:
        model: A `seqkeras.models.build_many_to_many` tagger over token ids.
        vocab: The input `seqkeras.data.Vocabulary`.
        path: Directory to write; an earlier export there is replaced.
        tags: Name of every tag, in output order.
        check_inputs: Strings for the check; always joined by an empty
            string, unseen characters and a long string. Defaults to `None`.
        formats: Portable formats to write beside the SavedModel,
            `"litert"` (`model.tflite`) and `"onnx"` (`model.onnx`): the
            model's numeric core, token ids in, `probabilities` out (see
            `seqkeras.export.portable`). Defaults to `()`.

    Returns:
        The absolute path of the export.

    Raises:
        ValueError: if `tags` does not match the model's outputs.
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    tags = [str(tag) for tag in tags]
    classes = model.get_layer("outputs").units
    if len(tags) != classes:
        raise invalid("tags", f"{classes} tag names (one per output)", tags)
    tag_table = tf.constant(tags)
    codec = TextCodec(vocab)

    def finish(ids, outputs):
        real = ids != 0
        probabilities = probabilities_of(model, outputs)
        probabilities = tf.where(real[..., None], probabilities, 0.0)
        best = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        return {
            "outputs": tf.where(real, tf.gather(tag_table, best), ""),
            "tokens": tf.where(real, codec.tokens(ids), ""),
            "scores": tf.reduce_max(probabilities, axis=-1),
            "probabilities": probabilities,
            "lengths": tf.reduce_sum(tf.cast(real, tf.int32), axis=-1),
        }

    texts = default_text_checks(vocab, check_inputs)
    ids = tf.constant(pad_ids([vocab.encode(text) for text in texts]))
    expected = {k: v.numpy() for k, v in finish(ids, model(ids, training=False)).items()}
    spec = tf.TensorSpec([None], tf.string, name="inputs")
    info = ExportManifest(
        kind="tag",
        inputs="strings",
        input=describe_input(spec, form=RAW_STRINGS),
        tags=tags,
    ).to_json()
    return export_predictor(
        model,
        codec.encode,
        finish,
        path,
        spec,
        texts,
        expected,
        info=info,
        resources=[codec],
        portable=PortableCore(
            model,
            ids.numpy(),
            input_form=TOKEN_IDS,
            output_form=probabilities_form(model, "the `tags`, in their order, at every step")
            + " (steps past a text's end are padding: ignore them)",
            vocabulary=vocab,
        ),
        formats=formats,
    )
