"""tag: a label for every character (word boundaries in unspaced text)."""

import keras
import numpy as np

from seqkeras import data as sk_data
from seqkeras.export import export_tagger
from seqkeras.models import build_many_to_many
from seqkeras.pipeline.tasks.base import Evaluation
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import as_numpy_columns
from seqkeras.pipeline.tasks.base import load_splits
from seqkeras.pipeline.tasks.base import recurrent_options
from seqkeras.pipeline.tasks.base import texts
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.text_batches import length_batches
from seqkeras.pipeline.tasks.text_batches import truncate

# Tag names by tag id, as the export returns them.
TAGS = ("inside", "word_start")


class TagTask(Task):
    headline = "f1"
    datasets = ("word_boundaries",)

    def prepare(self, config, smoke, vocabularies=None):
        columns = {s: as_numpy_columns(d) for s, d in load_splits(config, smoke).items()}
        vocabulary = given_vocabulary(
            vocabularies,
            "characters",
            lambda: sk_data.Vocabulary.build(texts(columns["train"]["characters"]), split="char"),
        )
        encoded = {}
        for split, column in columns.items():
            ids = truncate(
                vocabulary.encode_batch(texts(column["characters"])), config.data.max_length
            )
            labels = [list(tags[: len(row)]) for tags, row in zip(column["labels"], ids)]
            encoded[split] = (ids, labels)

        def batches(split, shuffle):
            ids, labels = encoded[split]
            dataset = sk_data.sequence_dataset(ids, labels)
            return length_batches(dataset, [len(i) for i in ids], config, shuffle=shuffle)

        train_size = len(encoded["train"][0])
        return TaskData(
            train=batches("train", True),
            validation=batches("validation", False),
            test=batches("test", False),
            train_examples=train_size,
            batch_size=config.data.batch_size,
            vocabularies={"characters": vocabulary},
            labels=list(TAGS),
        )

    def build(self, config, data):
        model = config.model
        return build_many_to_many(
            len(data.labels),
            vocab_size=len(data.vocabularies["characters"]),
            embedding_dim=model.embedding_dim,
            num_layers=model.layers,
            bidirectional=model.bidirectional,
            **recurrent_options(model),
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(), ["accuracy"]

    def export(self, model, data, config, path, strategy):
        export_tagger(model, data.vocabularies["characters"], path, tags=data.labels)

    def evaluate(self, model, data, config, strategy):
        vocabulary = data.vocabularies["characters"]
        true_positive = false_positive = false_negative = correct = total = 0
        rows = []
        for ids, labels in data.test:
            ids, labels = ids.numpy(), labels.numpy()
            predicted = np.argmax(model.predict_on_batch(ids), axis=-1)
            real = ids != 0  # padding never counts
            correct += int(np.sum((predicted == labels) & real))
            total += int(np.sum(real))
            true_positive += int(np.sum((predicted == 1) & (labels == 1) & real))
            false_positive += int(np.sum((predicted == 1) & (labels == 0) & real))
            false_negative += int(np.sum((predicted == 0) & (labels == 1) & real))
            for row in range(len(ids)):
                if len(rows) < config.evaluate.samples:
                    rows.append(_spaced_row(vocabulary, ids[row], labels[row], predicted[row]))
        precision = true_positive / max(1, true_positive + false_positive)
        recall = true_positive / max(1, true_positive + false_negative)
        metrics = {
            "headline": self.headline,
            "accuracy": correct / max(1, total),
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / max(1e-12, precision + recall),
            "test_characters": total,
        }
        return Evaluation(metrics, rows)


def _spaced(characters, tags):
    return "".join(
        (" " if tag == 1 and i else "") + c for i, (c, tag) in enumerate(zip(characters, tags))
    )


def _spaced_row(vocabulary, ids, labels, predicted):
    length = int(np.sum(ids != 0))
    characters = [vocabulary.id_to_token(int(i)) for i in ids[:length]]
    return {
        "reference": _spaced(characters, labels[:length]),
        "prediction": _spaced(characters, predicted[:length]),
    }
