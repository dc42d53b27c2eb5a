"""What every task module provides to the runner."""

import dataclasses
from typing import Any
from typing import Dict
from typing import Generic
from typing import List
from typing import Optional
from typing import Tuple
from typing import TypeVar

import keras
import tensorflow as tf

from seqkeras import data as sk_data
from seqkeras.decoding import DecodingStrategy
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.models import AttentionOptions
from seqkeras.pipeline.config.attention_checks import check_attention
from seqkeras.pipeline.config.evaluate_strategy import build_strategy
from seqkeras.pipeline.config.export_formats import check_export_formats
from seqkeras.pipeline.config.model_size import check_model_size
from seqkeras.pipeline.config.scheduled_sampling_checks import check_scheduled_sampling
from seqkeras.pipeline.config.schema import PipelineConfig

#: The type of what a task's `evaluate` reads beyond the test batches.
TestSetT = TypeVar("TestSetT")
#: The type of what a task's `build` reads of the inputs.
InputsT = TypeVar("InputsT")


@dataclasses.dataclass
class TaskData(Generic[TestSetT, InputsT]):
    """Batched datasets ready for `model.fit`, plus what evaluation needs.

    Attributes:
        train, validation, test: The batched splits.
        train_examples: Training examples (rows of windows for the language
            model) per epoch.
        batch_size: Examples per batch.
        vocabularies: The `seqkeras.data.Vocabulary` (or, for subword tokens,
            `SubwordVocabulary`) objects by name, saved in the run folder as
            `vocabulary.<name>.txt` (or `.model`).
        labels: Class or tag names by output id, when the task has them.
        test_set: What the task's `evaluate` reads beyond the test batches,
            as a dataclass of the task's own (references, source texts): a
            `TestSetT`, named by each task's alias (`ClassifyData =
            TaskData[ClassifyTestSet, SequenceShape]`).
        input_shape: What the task's `build` reads of the inputs beyond the
            vocabularies (an `InputsT`, a dataclass of the task's own), or
            `None`.
    """

    train: tf.data.Dataset
    validation: tf.data.Dataset
    test: tf.data.Dataset
    train_examples: int
    batch_size: int
    vocabularies: Dict[str, sk_data.Vocabulary] = dataclasses.field(default_factory=dict)
    labels: List[str] = dataclasses.field(default_factory=list)
    test_set: Optional[TestSetT] = None
    input_shape: Optional[InputsT] = None

    @property
    def steps_per_epoch(self) -> int:
        """Batches per training epoch, as the learning-rate schedules count them."""
        return max(1, -(-self.train_examples // self.batch_size))


class Task:
    """A task kind: how its data, model, training and evaluation fit together.

    Subclasses implement `prepare`, `build`, `loss_and_metrics` and
    `evaluate`; the rest have defaults that suit most tasks.
    """

    headline = "loss"
    #: Whether the task trains with truncated backpropagation (train.tbptt).
    supports_tbptt = False
    #: The decoding strategy when `evaluate.strategy` is null, for tasks
    #: that generate sequences; `None` for the others.
    default_strategy: Optional[str] = None
    #: Whether the task trains an attention decoder (train.scheduled_sampling).
    supports_scheduled_sampling = False
    #: The `export.formats` besides `saved_model` that `export` writes.
    portable_formats: Tuple[str, ...] = ()
    #: Why the other portable formats are not written, for the message that refuses them.
    portable_limits = (
        "its export generates text with a decoding loop (greedy, beam search or sampling) "
        "around string lookups, and the portable formats hold numeric models (the classify, "
        "tag and forecast tasks write litert and onnx; seq2seq its encoder and decoder step "
        "as onnx)"
    )

    def check(self, config: PipelineConfig) -> None:
        """Reject configs this task cannot run, before any work is done."""
        from seqkeras.errors import ConfigError

        if config.data.dataset != "files" and config.data.files.train is not None:
            raise ConfigError(
                f"data.files.train: given, but data.dataset is "
                f"{config.data.dataset!r}; set data.dataset to 'files' to read "
                f"your own files."
            )
        if config.train.tbptt.window is not None and not self.supports_tbptt:
            raise ConfigError(
                f"train.tbptt.window: truncated backpropagation is for the "
                f"language_model task, not {config.task!r}; remove the key."
            )
        self.strategy(config)
        check_attention(config.model)
        check_model_size(config.model, decoder=self.supports_scheduled_sampling)
        check_scheduled_sampling(config, self.supports_scheduled_sampling)
        check_export_formats(config, self.portable_formats, self.portable_limits)

    def strategy(self, config: PipelineConfig) -> Optional[DecodingStrategy]:
        """The one decoding strategy evaluation and export use (`None` if none)."""
        return build_strategy(config, self.default_strategy)

    def prepare(self, config: PipelineConfig, smoke: bool, vocabularies=None) -> TaskData:
        """Batched splits; `vocabularies` (by name) replace building new ones."""
        raise NotImplementedError

    def build(self, config: PipelineConfig, data: TaskData):
        raise NotImplementedError

    def loss_and_metrics(self, config: PipelineConfig):
        raise NotImplementedError

    def callbacks(self, config: PipelineConfig, data: TaskData) -> List[keras.callbacks.Callback]:
        """Callbacks of this task's training, after the runner's own."""
        return []

    def evaluate(
        self, model, data: TaskData, config: PipelineConfig, strategy: Optional[DecodingStrategy]
    ) -> Evaluation:
        """Score the model on the test split; generate with `strategy`."""
        raise NotImplementedError

    def export(
        self,
        model,
        data: TaskData,
        config: PipelineConfig,
        path,
        strategy: Optional[DecodingStrategy],
    ) -> None:
        """Write the SavedModel that serves raw inputs (see seqkeras.export).

        Generating tasks serve `strategy` by default, the one `evaluate`
        was given.
        """
        raise NotImplementedError


def vocabulary(vocabularies, name: str, build):
    """The given vocabulary `name`, or `build()` when none was given."""
    if vocabularies and name in vocabularies:
        return vocabularies[name]
    return build()


def recurrent_options(model) -> Dict[str, Any]:
    """Builder arguments every topology shares, from the `model` section."""
    return {
        "cell": model.cell,
        "units": model.units,
        "dropout": model.dropout,
        "recurrent_dropout": model.recurrent_dropout,
    }


def attention_options(model) -> Dict[str, Any]:
    """Builder arguments of the attending decoders (seq2seq, caption)."""
    return {
        "embedding_dim": model.embedding_dim,
        "attention": AttentionOptions(**dataclasses.asdict(model.attention)),
        **recurrent_options(model),
    }


def pooling_options(model) -> Dict[str, Any]:
    """Builder arguments of many-to-one pooling (classify, forecast)."""
    return {
        "pooling": model.pooling,
        # Pooling attends once: it has no attention layer, nor a normalised score.
        "attention": AttentionOptions(
            model.attention.kind,
            units=model.attention.units,
            score=model.attention.score,
            scale=model.attention.scale,
        ),
    }
