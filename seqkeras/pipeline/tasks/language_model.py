"""language_model: next-character prediction trained with truncated BPTT."""

import math

import keras
import numpy as np

from seqkeras import data as sk_data
from seqkeras.decoding import generate
from seqkeras.decoding import language_model_step
from seqkeras.errors import ConfigError
from seqkeras.export import export_language_model
from seqkeras.metrics.evaluation import Evaluation
from seqkeras.models import build_many_to_many
from seqkeras.pipeline.tasks.base import Task
from seqkeras.pipeline.tasks.base import TaskData
from seqkeras.pipeline.tasks.base import recurrent_options
from seqkeras.pipeline.tasks.base import vocabulary as given_vocabulary
from seqkeras.pipeline.tasks.examples import read_examples
from seqkeras.pipeline.tasks.examples import resolve_columns

PRIMES = ("The ", "def ", "A list ")


def reset_stateful_layers(model: keras.Model) -> None:
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_states()


class ResetStates(keras.callbacks.Callback):
    """Start every epoch, and every validation pass, from zero state.

    Within an epoch the stateful layers carry their state from one window to
    the next (row b of window k + 1 continues row b of window k), so the
    gradient flows only within a window while the state spans the stream.
    """

    def on_epoch_begin(self, epoch, logs=None):
        reset_stateful_layers(self.model)

    def on_test_begin(self, logs=None):
        reset_stateful_layers(self.model)


class LanguageModelTask(Task):
    headline = "bits_per_character"
    supports_tbptt = True
    default_strategy = "sample"

    def check(self, config):
        super().check(config)
        if config.train.distribute.strategy != "none":
            raise ConfigError(
                f"train.distribute.strategy: got {config.train.distribute.strategy!r}; "
                f"the language_model task trains with stateful truncated "
                f"backpropagation (train.tbptt.window), which tf.distribute does "
                f"not support (expected none)."
            )
        if config.model.bidirectional:
            raise ConfigError(
                "model.bidirectional: got True; a language model reads left "
                "to right only (expected false)."
            )

    def window(self, config):
        return config.train.tbptt.window or config.data.window

    def prepare(self, config, smoke, vocabularies=None):
        source, _ = resolve_columns(config, None, source_types=("text",))
        examples = read_examples(config, source, None, smoke)
        # Documents joined into one stream per split, a blank line between them.
        streams = {s: "\n\n".join(e.sources) for s, e in examples.items()}
        vocabulary = given_vocabulary(
            vocabularies,
            "characters",
            lambda: sk_data.Vocabulary.build([streams["train"]], split=source.tokens),
        )
        window, batch = self.window(config), config.data.batch_size
        ids = {s: np.asarray(vocabulary.encode(t), "int32") for s, t in streams.items()}
        if smoke:
            ids = {s: v[: batch * window * 2 + 1] for s, v in ids.items()}
        datasets = {s: sk_data.tbptt_streams(v, batch, window) for s, v in ids.items()}
        return TaskData(
            train=datasets["train"].prefetch(-1),
            validation=datasets["validation"],
            test=datasets["test"],
            # Every batch is one window of `batch` rows of the stream.
            train_examples=len(ids["train"]) // (batch * window) * batch,
            batch_size=batch,
            vocabularies={"characters": vocabulary},
        )

    def build(self, config, data):
        model = config.model
        size = len(data.vocabularies["characters"])
        return build_many_to_many(
            size,
            vocab_size=size,
            sequence_length=self.window(config),
            embedding_dim=model.embedding_dim,
            num_layers=model.layers,
            **recurrent_options(model),
            stateful=True,
            batch_size=config.data.batch_size,
            name=config.name,
        )

    def loss_and_metrics(self, config):
        return keras.losses.SparseCategoricalCrossentropy(), ["accuracy"]

    def callbacks(self, config, data):
        # Windows stay in stream order (the runner never reshuffles) for the
        # carried state to make sense; it is reset at every epoch.
        return [ResetStates()]

    def export(self, model, data, config, path, strategy):
        export_language_model(model, data.vocabularies["characters"], path, strategy=strategy)

    def evaluate(self, model, data, config, strategy):
        # Each split is scored from zero state, as a reader starting the text.
        reset_stateful_layers(model)
        validation_loss, _ = model.evaluate(data.validation, verbose=0)
        reset_stateful_layers(model)
        loss, accuracy = model.evaluate(data.test, verbose=0)
        vocabulary = data.vocabularies["characters"]
        step = language_model_step(model, start_id=vocabulary.start_id)
        primes = keras.utils.pad_sequences([vocabulary.encode(p) for p in PRIMES], padding="post")
        result = generate(
            step, primes, strategy, start_id=vocabulary.start_id, end_id=vocabulary.end_id
        )
        samples = [vocabulary.decode(row) for row in np.asarray(result.tokens)]
        metrics = {
            "loss": float(loss),
            "accuracy": float(accuracy),
            "perplexity": float(math.exp(loss)),
            "bits_per_character": float(loss / math.log(2)),
            "validation_bits_per_character": float(validation_loss / math.log(2)),
        }
        rows = [{"prime": p, "prediction": s} for p, s in zip(PRIMES, samples)]
        return Evaluation(self.headline, metrics, rows)
