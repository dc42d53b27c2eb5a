"""caption: image features in, a caption out (one-to-many with spatial attention)."""

import dataclasses
from typing import List

import keras
import numpy as np
import tensorflow as tf

from seqkeras import data as sk_data
from seqkeras.export import export_caption
from seqkeras.models import build_one_to_many
from seqkeras.pipeline.examples import read_examples
from seqkeras.pipeline.examples import resolve_columns
from seqkeras.pipeline.metrics import sequence_scores
from seqkeras.pipeline.tasks.base import Evaluation
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import attention_options
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.generation import generate_outputs


def _grid(column):
    # (N, positions, depth) -> a (1 x positions) grid the decoder attends over.
    grid = np.asarray(column, "float32")
    return grid[:, None]


@dataclasses.dataclass
class CaptionTestSet:
    """The test split as evaluation reads it."""

    features: np.ndarray  # (N, rows, columns, depth): the attention memory
    references: List[str]


class CaptionTask(Task):
    headline = "exact_match"
    default_strategy = "greedy"

    def prepare(self, config, smoke, vocabularies=None):
        # Image features: a grid of feature vectors per example.
        source, target = resolve_columns(config, "text", source_types=("numbers",))
        examples = read_examples(config, source, target, smoke)
        vocabulary = given_vocabulary(
            vocabularies,
            "caption",
            lambda: sk_data.Vocabulary.build(examples["train"].targets, split=target.tokens),
        )
        prepared = {}
        for split, split_examples in examples.items():
            ids = vocabulary.encode_batch(split_examples.targets)
            decoder_in = [[vocabulary.start_id, *i] for i in ids]
            decoder_out = [[*i, vocabulary.end_id] for i in ids]
            prepared[split] = (
                _grid(split_examples.sources),
                keras.utils.pad_sequences(decoder_in, padding="post"),
                keras.utils.pad_sequences(decoder_out, padding="post"),
                split_examples.targets,
            )

        def batches(split, shuffle):
            grid, decoder_in, decoder_out, _ = prepared[split]
            dataset = tf.data.Dataset.from_tensor_slices(
                ({"features": grid, "target_ids": decoder_in}, decoder_out)
            )
            if shuffle:
                dataset = dataset.shuffle(len(grid), seed=config.seed)
            return dataset.batch(config.data.batch_size).prefetch(-1)

        return TaskData(
            train=batches("train", True),
            validation=batches("validation", False),
            test=batches("test", False),
            train_examples=len(prepared["train"][0]),
            batch_size=config.data.batch_size,
            vocabularies={"caption": vocabulary},
            test_set=CaptionTestSet(features=prepared["test"][0], references=prepared["test"][3]),
        )

    def build(self, config, data):
        model = config.model
        return build_one_to_many(
            len(data.vocabularies["caption"]),
            data.test_set.features.shape[1:],
            num_layers=model.decoder_layers,
            **attention_options(model),
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"]

    def export(self, model, data, config, path, strategy):
        export_caption(model, data.vocabularies["caption"], path, strategy=strategy)

    def evaluate(self, model, data, config, strategy):
        vocabulary = data.vocabularies["caption"]
        grid, references = data.test_set.features, data.test_set.references
        tokens, alignments = generate_outputs(model, grid, strategy)
        hypotheses = [vocabulary.decode(row) for row in tokens]
        metrics = {"headline": self.headline, "test_examples": len(references)}
        metrics.update(sequence_scores(references, hypotheses, "token"))
        rows = [
            {"reference": r, "prediction": h}
            for r, h in list(zip(references, hypotheses))[: config.evaluate.samples]
        ]
        positions = [f"position {p}" for p in range(grid.shape[2])]
        attention = [
            {
                "source": positions,
                "target": [vocabulary.id_to_token(t) for t in tokens[i] if t],
                "alignments": alignments[i],
            }
            for i in range(min(config.evaluate.attention_plots, len(references)))
        ]
        return Evaluation(metrics, rows, attention)
