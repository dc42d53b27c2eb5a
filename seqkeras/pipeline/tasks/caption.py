"""caption: an image (or its features) in, a caption out (one-to-many with spatial attention).

The source is a grid of feature vectors per example (`type: numbers`, as
a built-in dataset may have) or an image file (`type: image`, from
`data.dataset: files`), which an image encoder inside the model
(`model.image_encoder`) turns into the grid the decoder attends over.
"""

import collections
import dataclasses
from typing import Any
from typing import List
from typing import Tuple

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data.images import ImageFiles
from seqkeras.data.images import decode_image
from seqkeras.errors import ConfigError
from seqkeras.export import export_caption
from seqkeras.metrics.evaluation import AttentionExample
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.metrics.sequence_metrics import sequence_scores
from seqkeras.models import build_image_encoder
from seqkeras.models import build_one_to_many
from seqkeras.pipeline.config.image_encoder_weights import check_encoder_weights
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import attention_options
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.pipeline.tasks.examples import resolve_columns
from seqkeras.pipeline.tasks.generation import generate_outputs
from seqkeras.pipeline.tasks.vocabularies import build_vocabulary

#: Decoded images of a split are cached in memory up to this many bytes.
CACHE_BYTES = 512 * 2**20
#: Test images whose bytes the export is checked with.
EXPORT_CHECKS = 3


def _grid(column):
    # (N, positions, depth) -> a (1 x positions) grid the decoder attends over.
    grid = np.asarray(column, "float32")
    return grid[:, None]


@dataclasses.dataclass
class CaptionTestSet:
    """The test split as evaluation reads it."""

    # (N, rows, columns, depth) features, or the test images (`ImageFiles`).
    features: Any
    references: List[str]
    baseline: str  # the most frequent training caption


@dataclasses.dataclass
class CaptionInputs:
    """What `build` reads of the source: features, or images of one size."""

    feature_shape: Tuple[int, ...]
    images: bool


#: What `prepare` gives and `build`, `evaluate` and `export` read.
CaptionData = TaskData[CaptionTestSet, CaptionInputs]


class CaptionTask(Task):
    headline = "exact_match"
    default_strategy = "greedy"
    supports_scheduled_sampling = True

    def prepare(self, config, smoke, vocabularies=None) -> CaptionData:
        source, target = resolve_columns(
            config, "text", source_types=("numbers", "image"), subword=True
        )
        images = source.type == "image"
        if images and config.data.dataset != "files":
            raise ConfigError(
                f"data.source.type: image columns are read from your own files "
                f"(data.dataset: files), not {config.data.dataset!r}."
            )
        examples = read_examples(config, source, target, smoke)
        if images:
            check_encoder_weights(config.model.image_encoder, source.size)
        vocabulary = given_vocabulary(
            vocabularies,
            "caption",
            lambda: build_vocabulary(
                examples["train"].targets, target, "data.target", seed=config.seed, smoke=smoke
            ),
        )
        prepared = {
            split: _teacher_forcing(split_examples, vocabulary, images)
            for split, split_examples in examples.items()
        }

        def batches(split, shuffle):
            sources, decoder_in, decoder_out, _ = prepared[split]
            if images:
                dataset = _image_dataset(sources, decoder_in, decoder_out, source.size)
            else:
                dataset = tf.data.Dataset.from_tensor_slices(
                    ({"features": sources, "target_ids": decoder_in}, decoder_out)
                )
            if shuffle:
                dataset = dataset.shuffle(len(sources), seed=config.seed)
            return dataset.batch(config.data.batch_size).prefetch(-1)

        test_sources = prepared["test"][0]
        if images:
            test_features = ImageFiles(test_sources, source.size)
            inputs = CaptionInputs((*source.size, 3), images=True)
        else:
            test_features = test_sources
            inputs = CaptionInputs(test_sources.shape[1:], images=False)
        # The simplest captioner: the training split's most frequent caption.
        [(baseline, _)] = collections.Counter(examples["train"].targets).most_common(1)
        return TaskData(
            train=batches("train", True),
            validation=batches("validation", False),
            test=batches("test", False),
            train_examples=len(prepared["train"][0]),
            batch_size=config.data.batch_size,
            vocabularies={"caption": vocabulary},
            test_set=CaptionTestSet(test_features, prepared["test"][3], baseline),
            input_shape=inputs,
        )

    def build(self, config, data: CaptionData):
        model = config.model
        inputs = data.input_shape
        image_encoder = None
        if inputs.images:
            encoder = model.image_encoder
            image_encoder = build_image_encoder(
                encoder.kind,
                inputs.feature_shape[:2],
                weights=encoder.weights,
                trainable=encoder.trainable,
                filters=encoder.filters,
            )
        return build_one_to_many(
            len(data.vocabularies["caption"]),
            inputs.feature_shape,
            image_encoder=image_encoder,
            num_layers=model.decoder_layers,
            **attention_options(model),
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"]

    def export(self, model, data: CaptionData, config, path, strategy):
        check_inputs = None
        if data.input_shape.images:
            paths = data.test_set.features.paths[:EXPORT_CHECKS]
            check_inputs = [tf.io.read_file(p).numpy() for p in paths]
        source, _ = resolve_columns(config, "text", source_types=("numbers", "image"), subword=True)
        export_caption(
            model,
            data.vocabularies["caption"],
            path,
            strategy=strategy,
            check_inputs=check_inputs,
            input_notes=source.value_notes(),
        )

    def evaluate(self, model, data: CaptionData, config, strategy):
        vocabulary = data.vocabularies["caption"]
        test_set = data.test_set
        features, references = test_set.features, test_set.references
        tokens, alignments = generate_outputs(model, features, strategy)
        hypotheses = [vocabulary.decode(row) for row in tokens]
        scores = {"test_examples": len(references)}
        scores.update(sequence_scores(references, hypotheses, "token"))
        # The most frequent training caption for every test image, scored alike.
        baselines = {
            "majority": {
                "prediction": test_set.baseline,
                **sequence_scores(references, [test_set.baseline] * len(references), "token"),
            }
        }
        rows = [
            {"reference": r, "prediction": h}
            for r, h in list(zip(references, hypotheses))[: config.evaluate.samples]
        ]
        if data.input_shape.images:
            height, width = model.grid_shape[:2]
            positions = [f"row {r} col {c}" for r in range(height) for c in range(width)]
        else:
            positions = [f"position {p}" for p in range(features.shape[2])]
        attention = [
            AttentionExample(
                source=positions,
                target=[vocabulary.id_to_token(t) for t in tokens[i] if t],
                alignments=alignments[i],
            )
            for i in range(min(config.evaluate.attention_plots, len(references)))
        ]
        return Evaluation(self.headline, scores, rows, baselines, attention=attention)


def _teacher_forcing(examples, vocabulary, images: bool):
    """`(sources, decoder inputs, decoder targets, captions)` of one split.

    Sources are image paths, or the features as a grid; the decoder reads
    `<start>` + caption and is trained to output caption + `<end>`.
    """
    ids = vocabulary.encode_batch(examples.targets)
    decoder_in = [[vocabulary.start_id, *i] for i in ids]
    decoder_out = [[*i, vocabulary.end_id] for i in ids]
    return (
        list(examples.sources) if images else _grid(examples.sources),
        keras.utils.pad_sequences(decoder_in, padding="post"),
        keras.utils.pad_sequences(decoder_out, padding="post"),
        examples.targets,
    )


def _image_dataset(paths, decoder_in, decoder_out, size) -> tf.data.Dataset:
    """Images decoded and resized in tf.data, cached when they fit in memory."""

    def load(path, target_ids, target):
        features = decode_image(tf.io.read_file(path), size)
        return {"features": features, "target_ids": target_ids}, target

    dataset = tf.data.Dataset.from_tensor_slices((paths, decoder_in, decoder_out))
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    if len(paths) * size[0] * size[1] * 3 * 4 <= CACHE_BYTES:
        dataset = dataset.cache()
    return dataset
