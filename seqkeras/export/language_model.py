"""Export a character (or word) language model: priming text in, text out."""

from typing import Optional, Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import decode
from seqkeras.decoding import generate
from seqkeras.decoding import language_model_step
from seqkeras.export.attention_generator import default_text_checks
from seqkeras.export.check import check_reloaded
from seqkeras.export.saved_model_writer import write_saved_model
from seqkeras.export.text_codec import TextCodec
from seqkeras.utils.arguments import check_positive_int


class LanguageModelServer(tf.Module):
    """Priming and sampling from a `build_many_to_many` language model."""

    def __init__(self, model, vocab, *, max_length, temperature, top_k):
        super().__init__(name="language_model")
        check_positive_int("max_length", max_length)
        self.model = model
        self.codec = TextCodec(vocab)
        self.decoding_step = language_model_step(model, start_id=vocab.start_id)
        self.strategies = {
            "sample": {"temperature": temperature, "top_k": top_k},
            "greedy": {},
        }
        self.decode_options = dict(
            start_id=vocab.start_id, end_id=vocab.end_id, max_length=max_length
        )

    def run(self, inputs, seed, strategy):
        result = decode(
            self.decoding_step,
            self.codec.encode(inputs),
            strategy=strategy,
            seed=seed,
            **self.decode_options,
            **self.strategies[strategy],
        )
        return {
            "outputs": self.codec.decode(result.tokens),
            "scores": result.scores,
            "lengths": result.lengths,
        }

    def reference(self, prime_ids, seed, strategy, vocab):
        result = generate(
            self.decoding_step,
            prime_ids,
            strategy=strategy,
            seed=seed,
            **self.decode_options,
            **self.strategies[strategy],
        )
        texts = [vocab.decode(row).encode("utf-8") for row in result.tokens.numpy()]
        return {
            "outputs": np.array(texts, dtype=object),
            "scores": result.scores.numpy(),
            "lengths": result.lengths.numpy(),
        }

    def signatures(self):
        text = tf.TensorSpec([None], tf.string, name="inputs")
        seed = tf.TensorSpec([], tf.int64, name="seed")
        self.serve = tf.function(
            lambda inputs: self.run(inputs, tf.constant(0, tf.int64), "sample"),
            input_signature=[text],
        )
        self.serve_sample = tf.function(
            lambda inputs, seed: self.run(inputs, seed, "sample"),
            input_signature=[text, seed],
        )
        self.serve_greedy = tf.function(
            lambda inputs: self.run(inputs, tf.constant(0, tf.int64), "greedy"),
            input_signature=[text],
        )
        self.prime = tf.function(self._prime, input_signature=[text])
        states, _, _ = self.decoding_step.start(tf.zeros([1, 1], tf.int32))
        state_specs = [
            tf.TensorSpec([None, s.shape[-1]], s.dtype, name=f"state_{i}")
            for i, s in enumerate(states)
        ]
        self.step = tf.function(
            self._step,
            input_signature=[tf.TensorSpec([None], tf.int32, name="token_ids"), *state_specs],
        )
        return {
            "serving_default": self.serve,
            "sample": self.serve_sample,
            "greedy": self.serve_greedy,
            "prime": self.prime,
            "step": self.step,
        }

    def _prime(self, inputs):
        states, _, first_ids = self.decoding_step.start(self.codec.encode(inputs))
        outputs = {"token_ids": first_ids}
        outputs.update({f"state_{i}": s for i, s in enumerate(states)})
        return outputs

    def _step(self, token_ids, *states):
        logits, _, new_states = self.decoding_step(token_ids, list(states), ())
        outputs = {
            "logits": logits,
            "probabilities": tf.nn.softmax(logits),
            "tokens": self.codec.tokens(tf.range(tf.shape(logits)[-1])),
        }
        outputs.update({f"state_{i}": s for i, s in enumerate(new_states)})
        return outputs


def export_language_model(
    model: keras.Model,
    vocab: Vocabulary,
    path: str,
    *,
    max_length: int,
    temperature: float = 1.0,
    top_k: Optional[int] = None,
    check_inputs: Optional[Sequence[str]] = None,
) -> str:
    """Write a SavedModel that continues priming text, with no seqkeras needed.

    Signatures (`inputs`: a 1-D `tf.string` tensor of priming texts):

    - `serving_default(inputs)`: `outputs`, the sampled continuation
      (seed 0, so the same prime always gives the same text), `scores`,
      `lengths`.
    - `sample(inputs, seed)`: the same with a seed of your own (int64).
    - `greedy(inputs)`: the most likely continuation.
    - `prime(inputs)` -> `token_ids`, `state_0`, ...; and
      `step(token_ids, state_0, ...)` -> `logits`, `probabilities`,
      `tokens` (the vocabulary), `state_0`, ...: stateful use, one token at
      a time, with the state passed in and out.

    Args:
        model: A token-id `build_many_to_many` language model.
        vocab: Its `seqkeras.data.Vocabulary`.
        path: Directory to write; an earlier export there is replaced.
        max_length: Tokens generated per prime.
        temperature: Sampling temperature. Defaults to `1.0`.
        top_k: Optional top-k for sampling. Defaults to `None`.
        check_inputs: Primes for the check; always joined by an empty
            prime, unseen characters and a long prime. Defaults to `None`.

    Returns:
        The absolute path of the export.

    Raises:
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    server = LanguageModelServer(
        model, vocab, max_length=max_length, temperature=temperature, top_k=top_k
    )
    signatures = server.signatures()
    texts = default_text_checks(vocab, check_inputs)

    def check(staging):
        ids = [vocab.encode(t) for t in texts]
        padded = np.zeros((len(ids), max(1, max(map(len, ids)))), "int32")
        for row, row_ids in enumerate(ids):
            padded[row, : len(row_ids)] = row_ids
        check_reloaded(
            staging, "serving_default", {"inputs": texts},
            server.reference(padded, 0, "sample", vocab))
        check_reloaded(
            staging, "sample", {"inputs": texts, "seed": np.int64(7)},
            server.reference(padded, 7, "sample", vocab))
        check_reloaded(
            staging, "greedy", {"inputs": texts},
            server.reference(padded, 0, "greedy", vocab))

    info = {
        "kind": "language_model",
        "inputs": "strings",
        "signatures": sorted(signatures),
        "max_length": max_length,
        "temperature": temperature,
        "top_k": top_k,
    }
    return write_saved_model(server, path, signatures, check=check, info=info)
