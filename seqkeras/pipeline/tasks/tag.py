"""tag: a label for every token (POS, NER with BIO tags, word boundaries)."""

import dataclasses
from typing import List

import keras
import numpy as np

from seqkeras import data as sk_data
from seqkeras.data.tokenizers import JOINERS
from seqkeras.errors import DataError
from seqkeras.export import export_tagger
from seqkeras.export.portable import PORTABLE_FORMATS
from seqkeras.metrics.baselines import majority_tags
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.metrics.label_metrics import is_bio
from seqkeras.metrics.label_metrics import tag_scores
from seqkeras.models import build_many_to_many
from seqkeras.pipeline.config.export_formats import portable_formats
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import recurrent_options
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.pipeline.tasks.examples import resolve_columns
from seqkeras.pipeline.tasks.labels import as_name
from seqkeras.pipeline.tasks.labels import label_ids
from seqkeras.pipeline.tasks.labels import label_names
from seqkeras.pipeline.tasks.text_batches import length_batches
from seqkeras.pipeline.tasks.text_batches import truncate


@dataclasses.dataclass
class TagTestSet:
    """The test split as evaluation reads it: each sentence's tokens and tags.

    The training split's tokens and tags are what the baseline learns from.
    """

    tokens: List[List[str]]
    tags: List[List[str]]
    train_tokens: List[List[str]]
    train_tags: List[List[str]]


#: What `prepare` gives and `build`, `evaluate` and `export` read.
TagData = TaskData[TagTestSet, None]


class TagTask(Task):
    portable_formats = tuple(PORTABLE_FORMATS)
    headline = "macro_f1"

    def check(self, config):
        super().check(config)
        self.columns(config)

    def columns(self, config):
        return resolve_columns(config, "tags", default_tokens="whitespace", source_types=("text",))

    def prepare(self, config, smoke, vocabularies=None) -> TagData:
        source, target = self.columns(config)
        examples = read_examples(config, source, target, smoke)
        vocabulary = given_vocabulary(
            vocabularies,
            "source",
            lambda: sk_data.Vocabulary.build(examples["train"].sources, split=source.tokens),
        )
        train_tags = [t for sentence in examples["train"].targets for t in sentence]
        names = label_names(train_tags, target)
        encoded, texts = {}, {}
        for split, split_examples in examples.items():
            encoded[split], texts[split] = _tagged_split(
                split_examples, vocabulary, names, source.tokens, config.data.max_length
            )

        def batches(split, shuffle):
            ids, tags = encoded[split]
            if split != "test":
                # Tag names come from the training split, so only validation can hold
                # a tag the model has no output for: it is fed as id 0 (the first tag)
                # to keep the validation loss computable. The test split keeps it,
                # and evaluation scores it as an error.
                tags = [[max(t, 0) for t in row] for row in tags]
            dataset = sk_data.sequence_dataset(ids, tags)
            lengths = [len(i) for i in ids]
            return length_batches(
                dataset, lengths, config, shuffle=shuffle, keep_order=split == "test"
            )

        return TaskData(
            train=batches("train", True),
            validation=batches("validation", False),
            test=batches("test", False),
            train_examples=len(encoded["train"][0]),
            batch_size=config.data.batch_size,
            vocabularies={"source": vocabulary},
            labels=names,
            test_set=TagTestSet(
                tokens=texts["test"][0],
                tags=texts["test"][1],
                train_tokens=texts["train"][0],
                train_tags=texts["train"][1],
            ),
        )

    def build(self, config, data: TagData):
        model = config.model
        return build_many_to_many(
            len(data.labels),
            vocab_size=len(data.vocabularies["source"]),
            embedding_dim=model.embedding_dim,
            num_layers=model.layers,
            bidirectional=model.bidirectional,
            **recurrent_options(model),
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(), ["accuracy"]

    def export(self, model, data: TagData, config, path, strategy):
        export_tagger(
            model,
            data.vocabularies["source"],
            path,
            tags=data.labels,
            formats=portable_formats(config),
        )

    def evaluate(self, model, data: TagData, config, strategy):
        predicted = []
        for ids, _ in data.test:
            ids = ids.numpy()
            best = np.argmax(model.predict_on_batch(ids), axis=-1)
            predicted.extend(
                list(row[: int(np.sum(row_ids != 0))]) for row, row_ids in zip(best, ids)
            )
        test_set = data.test_set
        hypotheses = [[data.labels[t] for t in row] for row in predicted]
        # A test tag training never saw is a tag of its own, never predicted.
        unseen = sorted({t for row in test_set.tags for t in row} - set(data.labels))
        tag_names = [*data.labels, *unseen]
        scores = tag_scores(test_set.tags, hypotheses, tag_names)
        bio = is_bio(data.labels)
        metrics = {
            **scores,
            "tag_names": list(data.labels),
            **({"unseen_test_tags": unseen} if unseen else {}),
            "test_sentences": len(hypotheses),
            "test_tokens": sum(len(row) for row in hypotheses),
        }
        baselines = {
            "majority": majority_tags(
                test_set.train_tokens,
                test_set.train_tags,
                test_set.tokens,
                test_set.tags,
                tag_names,
            )
        }
        joiner = JOINERS[data.vocabularies["source"].split]
        rows = [
            {
                "tokens": joiner.join(tokens),
                "tags": " ".join(tags),
                "prediction": " ".join(hypothesis),
                "errors": sum(a != b for a, b in zip(tags, hypothesis)),
            }
            for tokens, tags, hypothesis in list(zip(test_set.tokens, test_set.tags, hypotheses))[
                : config.evaluate.samples
            ]
        ]
        headline = "entity_f1" if bio else self.headline
        return Evaluation(headline, metrics, rows, baselines)


def _tagged_split(examples, vocabulary, names, split_rule, max_length):
    """`((token ids, tag ids), (tokens, tag names))` of one split, cut to `max_length`.

    Raises:
        DataError: naming the line of a sentence whose tokens (split by
            `split_rule`) and tags differ in number.
    """
    ids, tags, tokens = [], [], []
    for text, sentence_tags, where in zip(examples.sources, examples.targets, examples.where):
        sentence_tokens = vocabulary.tokenize(text)
        if len(sentence_tokens) != len(sentence_tags):
            raise DataError(
                f"{where}: {len(sentence_tokens)} token(s) ({split_rule} "
                f"split) but {len(sentence_tags)} tag(s); expected one tag per token."
            )
        ids.append([vocabulary.token_to_id(t) for t in sentence_tokens])
        tags.append(label_ids(sentence_tags, names))
        tokens.append(sentence_tokens)
    ids = truncate(ids, max_length)
    tags = [list(t[: len(i)]) for t, i in zip(tags, ids)]
    tokens = [t[: len(i)] for t, i in zip(tokens, ids)]
    true_tags = [[as_name(t, names) for t in row] for row in examples.targets]
    return (ids, tags), (tokens, [row[: len(i)] for row, i in zip(true_tags, ids)])
