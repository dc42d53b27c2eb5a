"""classify: a sequence in (text, or vectors per step), a class out."""

import dataclasses
import logging
from typing import List
from typing import Optional

import keras
import numpy as np
import tensorflow as tf

from seqkeras import data as sk_data
from seqkeras.errors import DataError
from seqkeras.export import export_classifier
from seqkeras.export.portable import PORTABLE_FORMATS
from seqkeras.metrics.baselines import majority_class
from seqkeras.metrics.baselines import tfidf_logistic_regression
from seqkeras.metrics.evaluation import ConfusionMatrix
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.metrics.label_metrics import classification_scores
from seqkeras.models import build_many_to_one
from seqkeras.pipeline.config.export_formats import portable_formats
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import pooling_options
from seqkeras.pipeline.tasks.base import recurrent_options
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.pipeline.tasks.examples import resolve_columns
from seqkeras.pipeline.tasks.labels import UNSEEN
from seqkeras.pipeline.tasks.labels import label_ids
from seqkeras.pipeline.tasks.labels import label_names
from seqkeras.pipeline.tasks.labels import unseen_labels
from seqkeras.pipeline.tasks.text_batches import length_batches
from seqkeras.pipeline.tasks.text_batches import truncate
from seqkeras.pipeline.tasks.vocabularies import build_vocabulary

#: Tokens of a served string the text classifier's export reads when
#: `data.max_length` (which cuts training, evaluation and serving alike) is
#: not set: far past any text it was trained on, and a bound on the time one
#: string can take (a 20 MB string, unbounded, took 80 s). docs/limits.md.
MAX_SERVED_TOKENS = 100_000

logger = logging.getLogger("seqkeras")


@dataclasses.dataclass
class ClassifyTestSet:
    """The test split as evaluation reads it."""

    labels: np.ndarray  # class ids; -1 for a label never seen in training
    label_texts: List[str]
    inputs: List[str]  # the input text (or "", for vectors), for predictions.tsv
    unseen: dict  # label never seen in training -> test examples with it
    # What the baselines are fit on and read (seqkeras/metrics/baselines.py).
    train_labels: np.ndarray
    train_tokens: Optional[List[List[str]]]  # the tokens the model reads; None for vectors
    tokens: Optional[List[List[str]]]
    split: Optional[str]  # how text is split into tokens; None for vectors


@dataclasses.dataclass
class SequenceShape:
    """What the model reads: token ids (a vocabulary) or `(steps, features)` vectors."""

    features: Optional[int]  # D of (T, D) vectors; None for text
    steps: Optional[int]  # a fixed T, or None when lengths vary
    masked: bool  # vectors padded with zero steps that the model skips
    scale: Optional[float] = None  # what the model multiplies vectors by first


#: What `prepare` gives and `build`, `evaluate` and `export` read.
ClassifyData = TaskData[ClassifyTestSet, SequenceShape]


class ClassifyTask(Task):
    portable_formats = tuple(PORTABLE_FORMATS)
    headline = "accuracy"

    def check(self, config):
        super().check(config)
        self.columns(config)

    def columns(self, config):
        return resolve_columns(config, "label", source_types=("text", "numbers"), subword=True)

    def prepare(self, config, smoke, vocabularies=None) -> ClassifyData:
        source, target = self.columns(config)
        examples = read_examples(config, source, target, smoke)
        names = label_names(examples["train"].targets, target)
        labels = {s: label_ids(e.targets, names) for s, e in examples.items()}
        examples["validation"], labels["validation"] = _known_only(
            examples["validation"], labels["validation"]
        )
        batch = config.data.batch_size
        if source.type == "text":
            inputs = _text_inputs(config, source, examples, labels, vocabularies, smoke)
        else:
            inputs = _vector_inputs(config, source, examples, labels)
        vocabularies, shape, tokens, batches = inputs
        test = examples["test"]
        return TaskData(
            train=batches("train", shuffle=True),
            validation=batches("validation", shuffle=False),
            test=batches("test", shuffle=False),
            train_examples=len(examples["train"]),
            batch_size=batch,
            vocabularies=vocabularies,
            labels=names,
            test_set=ClassifyTestSet(
                labels=labels["test"],
                label_texts=[str(t) for t in test.targets],
                inputs=test.sources if source.type == "text" else [""] * len(test),
                unseen=unseen_labels(test.targets, names),
                train_labels=labels["train"],
                train_tokens=tokens["train"],
                tokens=tokens["test"],
                split=source.tokens if source.type == "text" else None,
            ),
            input_shape=shape,
        )

    def build(self, config, data: ClassifyData):
        model = config.model
        shape = data.input_shape
        inputs = (
            {"vocab_size": len(data.vocabularies["source"]), "embedding_dim": model.embedding_dim}
            if shape.features is None
            else {
                "input_dim": shape.features,
                "sequence_length": shape.steps,
                "mask_value": 0.0 if shape.masked else None,
                "input_scale": shape.scale,
            }
        )
        return build_many_to_one(
            len(data.labels),
            **inputs,
            num_layers=model.layers,
            bidirectional=model.bidirectional,
            **recurrent_options(model),
            **pooling_options(model),
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(), ["accuracy"]

    def export(self, model, data: ClassifyData, config, path, strategy):
        source, _ = self.columns(config)
        export_classifier(
            model,
            path,
            labels=data.labels,
            vocab=data.vocabularies.get("source"),
            max_length=config.data.max_length or MAX_SERVED_TOKENS,
            input_notes=source.value_notes(),
            formats=portable_formats(config),
        )

    def evaluate(self, model, data: ClassifyData, config, strategy):
        outputs = np.concatenate([model.predict_on_batch(inputs) for inputs, _ in data.test])
        predicted = np.argmax(outputs, axis=-1)
        test_set = data.test_set
        labels = test_set.labels
        seen = labels >= 0
        scores = classification_scores(labels[seen], predicted[seen], data.labels)
        figures = {
            # A test label never seen in training is an error, not a crash.
            "accuracy": float(np.mean(labels == predicted)),
            "macro_f1": scores["macro_f1"],
            "per_class": scores["per_class"],
            "test_examples": int(len(labels)),
        }
        if test_set.unseen:
            figures["unseen_test_labels"] = test_set.unseen
        confidence = _probabilities(outputs).max(axis=-1)
        # Errors first (most confident first), then correct answers, in test order.
        wrong = np.flatnonzero(labels != predicted)
        wrong = wrong[np.argsort(-confidence[wrong], kind="stable")]
        shown = np.concatenate([wrong, np.flatnonzero(labels == predicted)])
        rows = []
        for i in shown[: config.evaluate.samples]:
            row = {"input": test_set.inputs[i]} if test_set.inputs[i] else {"index": int(i)}
            row.update(
                {
                    "label": test_set.label_texts[i],
                    "prediction": data.labels[predicted[i]],
                    "score": f"{confidence[i]:.4f}",
                    "correct": "yes" if labels[i] == predicted[i] else "NO",
                }
            )
            rows.append(row)
        return Evaluation(
            headline=self.headline,
            scores=figures,
            predictions=rows,
            baselines=_baselines(test_set, data.labels, config.seed),
            confusion=ConfusionMatrix.from_scores(scores),
        )


def _text_inputs(config, source, examples, labels, vocabularies, smoke):
    """Token ids of text: `(vocabularies, shape, tokens of train and test, batches)`.

    `batches(split, shuffle)` batches the split by length.
    """
    vocabulary = given_vocabulary(
        vocabularies,
        "source",
        lambda: build_vocabulary(
            examples["train"].sources, source, "data.source", seed=config.seed, smoke=smoke
        ),
    )
    ids = {
        s: truncate(vocabulary.encode_batch(e.sources), config.data.max_length)
        for s, e in examples.items()
    }
    shape = SequenceShape(features=None, steps=None, masked=True)
    tokens = {
        s: [vocabulary.tokenize(text)[: config.data.max_length] for text in e.sources]
        for s, e in examples.items()
        if s != "validation"
    }

    def batches(split, shuffle):
        dataset = sk_data.sequence_dataset(ids[split], labels[split])
        lengths = [len(i) for i in ids[split]]
        return length_batches(dataset, lengths, config, shuffle=shuffle, keep_order=split == "test")

    return {"source": vocabulary}, shape, tokens, batches


def _vector_inputs(config, source, examples, labels):
    """Sequences of vectors: `(no vocabularies, shape, no tokens, batches)`."""
    arrays, shape = _vectors(examples)
    shape = dataclasses.replace(shape, scale=source.scale)

    def batches(split, shuffle):
        dataset = tf.data.Dataset.from_tensor_slices((arrays[split], labels[split]))
        if shuffle:
            dataset = dataset.shuffle(4096, seed=config.seed)
        return dataset.batch(config.data.batch_size).cache().prefetch(-1)

    return {}, shape, {"train": None, "test": None}, batches


def _baselines(test_set: ClassifyTestSet, names: List[str], seed: int) -> dict:
    """Simple methods scored on the same test split, for comparison."""
    baselines = {"majority": majority_class(test_set.train_labels, test_set.labels, names)}
    if test_set.tokens is not None:
        baselines["tfidf_logistic_regression"] = tfidf_logistic_regression(
            test_set.train_tokens,
            test_set.train_labels,
            test_set.tokens,
            test_set.labels,
            names,
            test_set.split,
            seed=seed,
        )
    return baselines


def _known_only(examples, labels):
    """Validation examples whose label training has; the others cannot be scored."""
    keep = labels != UNSEEN
    if keep.all():
        return examples, labels
    logger.info(
        "validation: %d example(s) with a label never seen in training are left out.",
        int((~keep).sum()),
    )
    return examples.select(np.flatnonzero(keep)), labels[keep]


def _vectors(examples):
    """`(N, T, D)` float32 arrays per split, zero-padded when lengths vary."""
    train = examples["train"]
    features = train.sources[0].shape[1]
    for split in examples.values():
        for array, where in zip(split.sources, split.where):
            if array.shape[1] != features:
                raise DataError(
                    f"{where}: {array.shape[1]} numbers per step; the first training "
                    f"example ({train.where[0]}) has {features}. Every step of every "
                    f"example needs the same count."
                )
    steps = {len(a) for split in examples.values() for a in split.sources}
    longest = max(steps)
    arrays = {}
    for name, split in examples.items():
        padded = np.zeros((len(split), longest, features), "float32")
        for row, array in enumerate(split.sources):
            padded[row, : len(array)] = array
        arrays[name] = padded
    fixed = len(steps) == 1
    shape = SequenceShape(features=features, steps=longest if fixed else None, masked=not fixed)
    return arrays, shape


def _probabilities(outputs: np.ndarray) -> np.ndarray:
    """The model's class probabilities (a softmax of linear outputs)."""
    if np.all(outputs >= 0) and np.allclose(outputs.sum(axis=-1), 1.0, atol=1e-3):
        return outputs
    shifted = np.exp(outputs - outputs.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
