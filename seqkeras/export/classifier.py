"""Export a sequence classifier: sequences (or strings) in, labels out."""

from typing import Optional
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.export.attention_generator import default_text_checks
from seqkeras.export.codecs.codec_choice import serving_requirements
from seqkeras.export.codecs.codec_choice import text_codec
from seqkeras.export.manifest import RAW_STRINGS
from seqkeras.export.manifest import ExportManifest
from seqkeras.export.manifest import describe_input
from seqkeras.export.portable import SAME_AS_SAVED_MODEL
from seqkeras.export.portable import TOKEN_IDS
from seqkeras.export.portable import PortableCore
from seqkeras.export.portable import probabilities_form
from seqkeras.export.predictor import export_predictor
from seqkeras.export.predictor import pad_ids
from seqkeras.export.predictor import probabilities_of
from seqkeras.utils.arguments import check_optional_positive_int
from seqkeras.utils.arguments import invalid


def export_classifier(
    model: keras.Model,
    path: str,
    *,
    labels: Sequence[str],
    vocab: Optional[Vocabulary] = None,
    max_length: Optional[int] = None,
    check_inputs=None,
    input_notes: Optional[dict] = None,
    formats: Sequence[str] = (),
) -> str:
    """Write a SavedModel that classifies whole sequences, without seqkeras.

    `serving_default(inputs)` takes a 1-D `tf.string` tensor when `vocab` is
    given (tokenized and looked up in the graph), else `float32` sequences
    shaped like the model's input; it returns `outputs` (the label names),
    `scores` (the winning probability) and `probabilities`
    `(batch, classes)`.

    Args:
        model: A `seqkeras.models.build_many_to_one` classifier (softmax or
            linear outputs).
        path: Directory to write; an earlier export there is replaced.
        labels: Name of every class, in output order.
        vocab: The input `seqkeras.data.Vocabulary` for text inputs.
            Defaults to `None` (float inputs).
        max_length: Optional positive integer: text inputs are cut to their
            first `max_length` tokens, as the pipeline's `data.max_length`
            cuts them in training, and so read in a bounded time (a 20 MB
            string, unbounded, took 80 s). Recorded in
            `seqkeras_export.json` as `max_source_length`. Defaults to
            `None` (no cut).
        check_inputs: Inputs for the check. Defaults to `None`: for text,
            known tokens, an empty string, unseen characters and a long
            string; for floats, three seeded random sequences.
        input_notes: What float inputs are (`units`, `range`), recorded in
            `seqkeras_export.json` beside their dtype and shape. Defaults
            to `None`.
        formats: Portable formats to write beside the SavedModel,
            `"litert"` (`model.tflite`) and `"onnx"` (`model.onnx`): the
            model's numeric core, token ids (or the float sequences) in,
            `probabilities` out (see `seqkeras.export.portable`). Defaults
            to `()`.

    Returns:
        The absolute path of the export.

    Raises:
        ValueError: if `labels` does not match the model's outputs.
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    check_optional_positive_int("max_length", max_length)
    labels = [str(label) for label in labels]
    classes = model.get_layer("outputs").units
    if len(labels) != classes:
        raise invalid("labels", f"{classes} label names (one per output)", labels)
    label_table = tf.constant(labels)

    def finish(model_inputs, outputs):
        probabilities = probabilities_of(model, outputs)
        best = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        return {
            "outputs": tf.gather(label_table, best),
            "scores": tf.reduce_max(probabilities, axis=-1),
            "probabilities": probabilities,
        }

    resources = []
    if vocab is not None:
        codec = text_codec(vocab)
        resources.append(codec)
        prepare = lambda texts: codec.encode(texts, max_length)  # noqa: E731
        spec = tf.TensorSpec([None], tf.string, name="inputs")
        check_inputs = list(check_inputs or default_text_checks(vocab))
        model_inputs = pad_ids([vocab.encode(text)[:max_length] for text in check_inputs])
    else:
        prepare = lambda x: x  # noqa: E731
        shape = tuple(model.input.shape[1:])
        spec = tf.TensorSpec((None, *shape), tf.float32, name="inputs")
        if check_inputs is None:
            steps = [s or 5 for s in shape]
            check_inputs = np.random.default_rng(0).normal(size=(3, *steps))
        check_inputs = np.asarray(check_inputs, "float32")
        model_inputs = check_inputs
    expected = {
        name: value.numpy()
        for name, value in finish(None, model(model_inputs, training=False)).items()
    }
    info = ExportManifest(
        kind="classify",
        inputs="strings" if vocab else "float32",
        input=describe_input(spec, form=RAW_STRINGS, max_length=max_length)
        if vocab is not None
        else describe_input(spec, input_notes),
        labels=labels,
        max_source_length=max_length if vocab is not None else None,
        **serving_requirements(vocab),
    ).to_json()
    portable = PortableCore(
        model,
        model_inputs,
        input_form=TOKEN_IDS if vocab is not None else SAME_AS_SAVED_MODEL,
        output_form=probabilities_form(model, "the `labels`, in their order"),
        vocabulary=vocab,
    )
    return export_predictor(
        model,
        prepare,
        finish,
        path,
        spec,
        check_inputs,
        expected,
        info=info,
        resources=resources,
        portable=portable,
        formats=formats,
    )
