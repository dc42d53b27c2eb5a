"""seq2seq: source text in, target text out (translation, grapheme to phoneme)."""

import dataclasses
import re
from typing import List

import keras

from seqkeras import data as sk_data
from seqkeras.data.catalog import CATALOG
from seqkeras.export import export_seq2seq
from seqkeras.export.portable_generator import GENERATOR_FORMATS
from seqkeras.metrics.evaluation import AttentionExample
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.metrics.sequence_metrics import sequence_scores
from seqkeras.models import build_seq2seq
from seqkeras.pipeline.config.attention_checks import check_dot_score_sizes
from seqkeras.pipeline.config.export_formats import portable_formats
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import attention_options
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.pipeline.tasks.examples import resolve_columns
from seqkeras.pipeline.tasks.generation import generate_outputs
from seqkeras.pipeline.tasks.text_batches import length_batches
from seqkeras.pipeline.tasks.text_batches import truncate
from seqkeras.pipeline.tasks.vocabularies import build_vocabulary


@dataclasses.dataclass
class Seq2SeqTestSet:
    """The test split as evaluation reads it."""

    sources: List[List[int]]  # encoded (and truncated) source ids
    source_texts: List[str]
    references: List[str]
    target_unit: str  # "char" or "token": what the error rate counts


#: What `prepare` gives and `build`, `evaluate` and `export` read.
Seq2SeqData = TaskData[Seq2SeqTestSet, None]


def _as_model_inputs(inputs, decoder_target):
    source, decoder_input = inputs
    return {"source_ids": source, "target_ids": decoder_input}, decoder_target


class Seq2SeqTask(Task):
    headline = "exact_match"
    default_strategy = "greedy"
    supports_scheduled_sampling = True
    portable_formats = GENERATOR_FORMATS
    portable_limits = (
        "it writes its encoder and one decoder step as onnx, for the caller to run the "
        "decoding loop; litert is not offered (the encoder's loop converts to LiteRT's "
        "built-in ops for one example per call only)"
    )

    def check(self, config):
        super().check(config)
        self.columns(config)
        directions = 2 if config.model.bidirectional else 1
        check_dot_score_sizes(
            config.model,
            directions * config.model.units,
            "the encoder's outputs, model.units per direction, model.bidirectional: "
            f"{str(config.model.bidirectional).lower()}",
        )

    def columns(self, config):
        return resolve_columns(config, "text", source_types=("text",), subword=True)

    def prepare(self, config, smoke, vocabularies=None) -> Seq2SeqData:
        source, target = self.columns(config)
        examples = read_examples(config, source, target, smoke)
        train = examples["train"]
        given = vocabularies

        def vocabulary(name, spec, texts):
            return given_vocabulary(
                given,
                name,
                lambda: build_vocabulary(
                    texts, spec, f"data.{name}", seed=config.seed, smoke=smoke
                ),
            )

        vocabularies = {
            "source": vocabulary("source", source, train.sources),
            "target": vocabulary("target", target, train.targets),
        }
        encoded = {}
        for split, split_examples in examples.items():
            sources = truncate(
                vocabularies["source"].encode_batch(split_examples.sources),
                config.data.max_length,
            )
            targets = vocabularies["target"].encode_batch(split_examples.targets)
            encoded[split] = (sources, targets)

        def batches(split, shuffle):
            sources, targets = encoded[split]
            dataset = sk_data.sequence_dataset(sources, targets)
            batched = length_batches(
                dataset,
                [len(s) for s in sources],
                config,
                map_fn=sk_data.teacher_forcing_pairs,
                shuffle=shuffle,
            )
            return batched.map(_as_model_inputs)

        return TaskData(
            train=batches("train", True),
            validation=batches("validation", False),
            test=batches("test", False),
            train_examples=len(encoded["train"][0]),
            batch_size=config.data.batch_size,
            vocabularies=vocabularies,
            test_set=Seq2SeqTestSet(
                sources=encoded["test"][0],
                source_texts=examples["test"].sources,
                references=examples["test"].targets,
                target_unit="char" if target.tokens == "char" else "token",
            ),
        )

    def build(self, config, data: Seq2SeqData):
        model = config.model
        return build_seq2seq(
            len(data.vocabularies["source"]),
            len(data.vocabularies["target"]),
            encoder_layers=model.layers,
            decoder_layers=model.decoder_layers,
            bidirectional_encoder=model.bidirectional,
            **attention_options(model),
            name=config.name,
        )

    def loss_and_metrics(self, config):
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        return loss, ["accuracy"]

    def export(self, model, data: Seq2SeqData, config, path, strategy):
        export_seq2seq(
            model,
            data.vocabularies["source"],
            data.vocabularies["target"],
            path,
            strategy=strategy,
            max_source_length=config.data.max_length,
            formats=portable_formats(config),
        )

    def evaluate(self, model, data: Seq2SeqData, config, strategy):
        test_set, target_vocabulary = data.test_set, data.vocabularies["target"]
        # One prediction per distinct source, right if it matches any of the
        # source's references (a word's pronunciations).
        references = {}
        for i, source in enumerate(test_set.source_texts):
            references.setdefault(source, (i, []))[1].append(test_set.references[i])
        rows_of_sources = [i for i, _ in references.values()]
        alternatives = [refs for _, refs in references.values()]
        sources = keras.utils.pad_sequences(
            [test_set.sources[i] for i in rows_of_sources], padding="post"
        )
        tokens, alignments = generate_outputs(model, sources, strategy)
        hypotheses = [target_vocabulary.decode(row) for row in tokens]
        metrics = {
            "test_examples": len(test_set.references),
            "test_sources": len(hypotheses),
        }
        metrics.update(sequence_scores(alternatives, hypotheses, test_set.target_unit))
        # Extra scores the dataset asks for: g2p results are often published on
        # phonemes without stress marks ("AH0" -> "AH").
        for suffix, pattern in _normalized_scores(config):
            scores = sequence_scores(
                alternatives,
                hypotheses,
                test_set.target_unit,
                lambda text, pattern=pattern: re.sub(pattern, "", text),
            )
            metrics.update({f"{name}_{suffix}": value for name, value in scores.items()})
        rows = [
            {"source": s, "reference": " | ".join(r), "prediction": h}
            for s, r, h in list(zip(references, alternatives, hypotheses))[
                : config.evaluate.samples
            ]
        ]
        source_vocabulary = data.vocabularies["source"]
        attention = []
        for i in range(min(config.evaluate.attention_plots, len(hypotheses))):
            source_ids = [t for t in sources[i] if t]
            output_ids = [t for t in tokens[i] if t]
            attention.append(
                AttentionExample(
                    source=[source_vocabulary.id_to_token(t) for t in source_ids],
                    target=[target_vocabulary.id_to_token(t) for t in output_ids],
                    alignments=alignments[i],
                )
            )
        return Evaluation(self.headline, metrics, rows, attention=attention)


def _normalized_scores(config):
    entry = CATALOG.get(config.data.dataset)
    return entry.normalized_scores if entry is not None else ()
