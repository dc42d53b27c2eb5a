"""classify: a sequence in, a class out (digits read row by row)."""

import keras
import numpy as np

from seqkeras.export import export_classifier
from seqkeras.models import build_many_to_one
from seqkeras.pipeline.tasks.base import Evaluation
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import load_splits
from seqkeras.pipeline.tasks.base import recurrent_options


class ClassifyTask(Task):
    headline = "accuracy"
    datasets = ("digits_rows",)

    def prepare(self, config, smoke, vocabularies=None):
        splits = load_splits(config, smoke)
        batch = config.data.batch_size

        def batches(dataset, shuffle):
            dataset = dataset.map(lambda e: (e["rows"], e["label"]))
            if shuffle:
                dataset = dataset.shuffle(4096, seed=config.seed)
            return dataset.batch(batch).cache().prefetch(-1)

        train_size = sum(1 for _ in splits["train"])
        return TaskData(
            train=batches(splits["train"], shuffle=True),
            validation=batches(splits["validation"], shuffle=False),
            test=batches(splits["test"], shuffle=False),
            train_examples=train_size,
            batch_size=batch,
            labels=[str(label) for label in range(10)],
        )

    def build(self, config, data):
        model = config.model
        return build_many_to_one(
            len(data.labels),
            input_dim=8,
            sequence_length=8,
            num_layers=model.layers,
            bidirectional=model.bidirectional,
            **recurrent_options(model),
            pooling=model.pooling,
            attention_units=model.attention.units,
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(), ["accuracy"]

    def export(self, model, data, config, path, strategy):
        export_classifier(model, path, labels=data.labels)

    def evaluate(self, model, data, config, strategy):
        labels, predicted = [], []
        for rows, label in data.test:
            predicted.append(np.argmax(model.predict_on_batch(rows), axis=-1))
            labels.append(label.numpy())
        labels, predicted = np.concatenate(labels), np.concatenate(predicted)
        classes = len(data.labels)
        confusion = np.zeros((classes, classes), dtype=int)
        np.add.at(confusion, (labels, predicted), 1)
        metrics = {
            "headline": self.headline,
            "accuracy": float(np.mean(labels == predicted)),
            "confusion_matrix": confusion.tolist(),
            "test_examples": int(len(labels)),
        }
        rows = [
            {"index": i, "label": int(labels[i]), "prediction": int(predicted[i])}
            for i in range(min(config.evaluate.samples, len(labels)))
        ]
        return Evaluation(metrics, rows)
