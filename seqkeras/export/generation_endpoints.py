"""The decoding signatures every generating export serves, and their check."""

import json
from typing import Callable
from typing import Dict
from typing import Optional

import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStrategy
from seqkeras.decoding import beam_search
from seqkeras.decoding import generate
from seqkeras.decoding import make_strategy
from seqkeras.decoding import sample
from seqkeras.decoding import serialize_strategy
from seqkeras.export.check import check_reloaded
from seqkeras.export.codecs.codec_choice import serving_requirements
from seqkeras.export.codecs.codec_choice import text_codec
from seqkeras.export.saved_model_writer import Endpoint

# The scalar inputs of the parameterised signatures. int64 and float32, as
# `saved_model_cli run --input_exprs 'beam_width=3'` and JSON clients feed them.
BEAM_WIDTH = tf.TensorSpec([], tf.int64, name="beam_width")
LENGTH_PENALTY = tf.TensorSpec([], tf.float32, name="length_penalty")
SEED = tf.TensorSpec([], tf.int64, name="seed")
TEMPERATURE = tf.TensorSpec([], tf.float32, name="temperature")
TOP_K = tf.TensorSpec([], tf.int64, name="top_k")

# Values the check runs the parameterised signatures with, next to the
# served strategy's own.
CHECK_BEAM = (2, 0.5)
CHECK_SAMPLE = (7, 0.9, 0)


class GenerationEndpoints:
    """`serving_default`, `greedy`, `beam_search` and `sample` of a generator.

    `serving_default(inputs)` decodes with exactly `strategy`, the one the
    pipeline evaluated with. The others serve every strategy with its
    options as inputs: `greedy(inputs)`, `beam_search(inputs, beam_width,
    length_penalty)` and `sample(inputs, seed, temperature, top_k)` (`top_k`
    0 draws from the whole vocabulary), each up to `strategy.max_length`
    tokens.

    Args:
        decoding_step: The `seqkeras.decoding.DecodingStep` to run.
        prepare: Graph function from the raw serving inputs to what
            `decoding_step.start` takes.
        target_vocab: The output `seqkeras.data.Vocabulary`.
        strategy: The `seqkeras.decoding.DecodingStrategy` served by default.
        attention: Whether the outputs include `attention` (models with an
            attention memory).
    """

    def __init__(
        self,
        decoding_step,
        prepare: Callable,
        target_vocab: Vocabulary,
        strategy: DecodingStrategy,
        *,
        attention: bool,
    ):
        if not isinstance(strategy, DecodingStrategy):
            raise ValueError(
                "Received an invalid value for `strategy`: expected a "
                f"seqkeras.decoding strategy, got {strategy!r}."
            )
        self.decoding_step = decoding_step
        self.prepare = prepare
        self.vocab = target_vocab
        self.codec = text_codec(target_vocab)
        self.strategy = strategy
        self.attention = attention

    def endpoints(self, input_spec: tf.TensorSpec) -> Dict[str, Endpoint]:
        max_length = self.strategy.max_length
        greedy = make_strategy("greedy", max_length=max_length)

        def serve(inputs):
            return self._run(inputs, self.strategy.search)

        def serve_greedy(inputs):
            return self._run(inputs, greedy.search)

        def serve_beam(inputs, beam_width, length_penalty):
            def search(step, states, **common):
                common.pop("seed")
                return beam_search(
                    step,
                    states,
                    max_length=max_length,
                    beam_width=beam_width,
                    length_penalty_alpha=length_penalty,
                    **common,
                )

            return self._run(inputs, search)

        def serve_sample(inputs, seed, temperature, top_k):
            def search(step, states, **common):
                common.pop("seed")
                return sample(
                    step,
                    states,
                    max_length=max_length,
                    temperature=temperature,
                    top_k=top_k,
                    seed=seed,
                    **common,
                )

            return self._run(inputs, search)

        return {
            "serving_default": Endpoint(serve, [input_spec]),
            "greedy": Endpoint(serve_greedy, [input_spec]),
            "beam_search": Endpoint(serve_beam, [input_spec, BEAM_WIDTH, LENGTH_PENALTY]),
            "sample": Endpoint(serve_sample, [input_spec, SEED, TEMPERATURE, TOP_K]),
        }

    def _run(self, inputs, search) -> Dict[str, tf.Tensor]:
        states, constants, first_ids = self.decoding_step.start(self.prepare(inputs))
        start_ids = self.vocab.start_id if first_ids is None else first_ids
        result = search(
            self.decoding_step,
            states,
            start_ids=start_ids,
            end_id=self.vocab.end_id,
            constants=constants,
            seed=None,
        )
        outputs = {
            "outputs": self._decode(result.tokens),
            "scores": result.scores,
            "lengths": result.lengths,
        }
        if self.attention:
            outputs["attention"] = result.alignments
        return outputs

    def _decode(self, tokens):
        # (batch, steps), or (batch, n_best, steps) for an n-best beam.
        shape = tf.shape(tokens)
        flat = self.codec.decode(tf.reshape(tokens, [-1, shape[-1]]))
        return tf.reshape(flat, shape[:-1])

    def info(self) -> dict:
        """What `seqkeras_export.json` records of the decoding and what it needs to serve."""
        return {
            "decoding": serialize_strategy(self.strategy),
            **serving_requirements(self.vocab),
        }

    def check(self, staging: str, inputs: Dict[str, object], model_inputs) -> None:
        """Every signature of the reloaded export against `generate` in process.

        `inputs` are the signature's raw inputs (by name), `model_inputs`
        the same inputs encoded in Python.
        """
        loaded = tf.saved_model.load(staging)
        max_length = self.strategy.max_length
        width, penalty = CHECK_BEAM
        seed, temperature, top_k = CHECK_SAMPLE
        others = [
            make_strategy("greedy", max_length=max_length),
            make_strategy("beam", max_length=max_length, width=width, length_penalty=penalty),
            make_strategy(
                "sample",
                max_length=max_length,
                temperature=temperature,
                top_k=top_k or None,
                seed=seed,
            ),
        ]
        cases = [("serving_default", {}, self.strategy)]
        cases += [(other.signature, other.signature_inputs(), other) for other in others]
        references = {}  # serving_default's strategy is often one of the others
        for signature, options, strategy in cases:
            key = json.dumps(serialize_strategy(strategy), sort_keys=True)
            if key not in references:
                references[key] = self.reference(model_inputs, strategy)
            check_reloaded(loaded, signature, {**inputs, **options}, references[key])

    def reference(self, model_inputs, strategy: Optional[DecodingStrategy] = None):
        """The generation in process, decoded in Python: what the export must give."""
        result = generate(
            self.decoding_step,
            model_inputs,
            strategy or self.strategy,
            start_id=self.vocab.start_id,
            end_id=self.vocab.end_id,
        )
        tokens = result.tokens.numpy()
        texts = [self.vocab.decode(row) for row in tokens.reshape(-1, tokens.shape[-1])]
        expected = {
            "outputs": np.array([t.encode("utf-8") for t in texts], dtype=object).reshape(
                tokens.shape[:-1]
            ),
            "scores": result.scores.numpy(),
            "lengths": result.lengths.numpy(),
        }
        if self.attention:
            expected["attention"] = result.alignments.numpy()
        return expected
