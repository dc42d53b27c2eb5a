"""The base of the models that generate tokens with an attending decoder."""

from typing import Dict
from typing import Tuple

import keras
from keras import tree

from seqkeras.models.decoder_head import DecoderHead


class AttentionGeneratorModel(keras.Model):
    """A functional model ending in an attending decoder, able to generate.

    Subclasses (`seqkeras.models.Seq2SeqModel`,
    `seqkeras.models.OneToManyModel`) build their graph in `__init__` from
    their hyper-parameters, which `get_config()` returns, so that
    `keras.saving.load_model` builds the model again and then loads its
    weights. While building they keep the parts generation needs (a
    `DecoderHead`), from which `inference_models()` makes an encoder and a
    one-step decoder sharing the model's weights, in the freshly built and
    in the reloaded model alike.

    Args:
        inputs: The model's inputs, a dict of `keras.Input`s.
        head: The `DecoderHead` the subclass built; its `logits` are the
            model's output.
        name: The model's name.
        **kwargs: Further `keras.Model` arguments, such as `trainable`.
    """

    def __init__(self, inputs, head: DecoderHead, name: str, **kwargs):
        super().__init__(inputs=inputs, outputs=head.logits, name=name, **kwargs)
        self._decoder_head = head
        self._scheduled_sampling = None

    def call(self, inputs, training=None, mask=None):
        schedule = self._scheduled_sampling
        if not training or schedule is None:
            return super().call(inputs, training=training, mask=mask)
        # The schedule's position is the optimizer's step count, which the
        # training state saves and restores: a resumed run picks it up.
        return self.sampled_logits(
            inputs,
            schedule.probability(self.optimizer.iterations),
            sampling=schedule.sampling,
            seed=schedule.seed,
            training=True,
        )

    @property
    def scheduled_sampling(self):
        """The `seqkeras.models.ScheduledSampling` training follows, or `None`.

        `fit` with a `ScheduledSampling` callback sets it while it trains.
        While it is set, training calls (`fit`, `train_on_batch`, `model(x,
        training=True)`) run `sampled_logits` with the schedule's probability
        at the optimizer's current step; with `None` (the default) they are
        teacher-forced. Evaluation, prediction, the inference models and the
        export are teacher-forced or generate as always.
        """
        return self._scheduled_sampling

    @scheduled_sampling.setter
    def scheduled_sampling(self, schedule):
        if schedule is not None:
            # Made now, outside any traced function and under the model's
            # distribution strategy, as their variables must be.
            with self.distribute_strategy.scope():
                self.inference_models()
                self._decoder_head.sampling_decoder(schedule.sampling, schedule.seed)
        self._scheduled_sampling = schedule
        if self.train_function is not None:
            # A train step traced before would keep the previous path.
            self.make_train_function(force=True)

    def sampled_logits(self, inputs, probability, *, sampling="argmax", seed=None, training=False):
        """The logits of a pass that reads its own predictions with `probability`.

        Scheduled sampling (Bengio et al. 2015): the model's encoder reads
        the source, and its decoder runs as a
        `seqkeras.layers.ScheduledSamplingDecoder` over the model's own
        target embedding, decoder and logits layer. With `probability=0`
        the result equals `model(inputs, training=training)`.

        Args:
            inputs: The model's inputs (a dict, as the model takes them).
            probability: Float or scalar tensor in [0, 1], the probability
                that a step after the first reads the previous step's
                prediction instead of the given target id.
            sampling: `"argmax"` or `"sample"`: how the prediction is chosen
                from the previous step's logits. Defaults to `"argmax"`.
            seed: Integer seed of the coins and samples, or `None`. Each
                `(sampling, seed)` pair keeps its own random state. Defaults
                to `None`.
            training: Python boolean, whether dropout is on. Defaults to
                `False`.

        Returns:
            Logits `(batch, target_steps, vocab_size)`, masked where the
            target ids are padding.
        """
        if not isinstance(inputs, dict):
            # In the order Keras takes them: the input dict's sorted keys.
            inputs = dict(zip([i.name for i in self.inputs], tree.flatten(inputs)))
        encoder, _ = self.inference_models()
        memory, memory_mask, *states = encoder(
            inputs[self._decoder_head.source.name], training=training
        )
        decoder = self._decoder_head.sampling_decoder(sampling, seed)
        return decoder(
            inputs["target_ids"],
            memory,
            initial_state=states,
            memory_mask=memory_mask,
            probability=probability,
            training=training,
        )

    def inference_models(self) -> Tuple[keras.Model, keras.Model]:
        """The encoder and the one-step decoder, built on the first call.

        Returns:
            `(encoder, step)`, the same pair at every call. `encoder` maps
            the model's source input (source token ids, or image features)
            to `[memory, memory_mask, *states]`. `step` maps
            `[token_ids (batch,), memory, memory_mask, *states]` to
            `[logits (batch, vocab), alignments (batch, memory_steps),
            *new_states]`.
        """
        return self._decoder_head.inference_models(self.name)

    def get_config(self) -> Dict:
        # Not the functional graph: subclasses add their hyper-parameters,
        # from which `from_config` builds the graph again.
        return {"name": self.name, "trainable": self.trainable}


def build_inference_models(model: keras.Model) -> Tuple[keras.Model, keras.Model]:
    """Split a seq2seq or one-to-many model into an encoder and a decoder step.

    The two models share the trained model's weights, so they can run
    generation one token at a time (greedy, sampling or beam search). Same
    as `model.inference_models()`: built on the first call, then the same
    pair is returned.

    Args:
        model: A model from `build_seq2seq` or `build_one_to_many`, freshly
            built or loaded from a `.keras` file.

    Returns:
        `(encoder, step)`. `encoder` maps the model's source input (source
        token ids, or image features) to `[memory, memory_mask, *states]`.
        `step` maps `[token_ids (batch,), memory, memory_mask, *states]` to
        `[logits (batch, vocab), alignments (batch, memory_steps),
        *new_states]`.

    Raises:
        ValueError: if `model` was not made by one of those builders.
    """
    if not isinstance(model, AttentionGeneratorModel):
        raise ValueError(
            "Received an invalid value for `model`: expected a model built by "
            "build_seq2seq or build_one_to_many, got "
            f"{getattr(model, 'name', model)!r} ({type(model).__name__}). A "
            "`.keras` file saved before `Seq2SeqModel` and `OneToManyModel` "
            "existed loads as a plain `Functional` model: build the model "
            "again with its builder and call `load_weights` on the file."
        )
    return model.inference_models()
