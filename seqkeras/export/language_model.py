"""Export a character (or word) language model: priming text in, text out."""

from typing import Optional
from typing import Sequence

import keras
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStrategy
from seqkeras.decoding import language_model_step
from seqkeras.export.attention_generator import default_text_checks
from seqkeras.export.codecs.text_codec import TextCodec
from seqkeras.export.generation_endpoints import GenerationEndpoints
from seqkeras.export.manifest import RAW_STRINGS
from seqkeras.export.manifest import ExportManifest
from seqkeras.export.manifest import describe_input
from seqkeras.export.predictor import pad_ids
from seqkeras.export.saved_model_writer import Endpoint
from seqkeras.export.saved_model_writer import write_saved_model


def export_language_model(
    model: keras.Model,
    vocab: Vocabulary,
    path: str,
    *,
    strategy: DecodingStrategy,
    check_inputs: Optional[Sequence[str]] = None,
) -> str:
    """Write a SavedModel that continues priming text, with no seqkeras needed.

    Signatures (`inputs`: a 1-D `tf.string` tensor of priming texts):

    - `serving_default(inputs)`: `outputs`, the continuation decoded with
      `strategy` (for `Sampling`, with its seed: the same prime always
      gives the same text), `scores`, `lengths`.
    - `greedy(inputs)`, `beam_search(inputs, beam_width, length_penalty)`
      and `sample(inputs, seed, temperature, top_k)`: the other strategies,
      their options as inputs (`top_k` 0 is the whole vocabulary).
    - `prime(inputs)` -> `token_ids`, `state_0`, ...; and
      `step(token_ids, state_0, ...)` -> `logits`, `probabilities`,
      `tokens` (the vocabulary), `state_0`, ...: stateful use, one token at
      a time, with the state passed in and out.

    Args:
        model: A token-id `build_many_to_many` language model.
        vocab: Its `seqkeras.data.Vocabulary`.
        path: Directory to write; an earlier export there is replaced.
        strategy: The `seqkeras.decoding.DecodingStrategy` of
            `serving_default`; its `max_length` is the tokens generated per
            prime.
        check_inputs: Primes for the check; always joined by an empty
            prime, unseen characters and a long prime. Defaults to `None`.

    Returns:
        The absolute path of the export.

    Raises:
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.
    """
    codec = TextCodec(vocab)
    decoding_step = language_model_step(model, start_id=vocab.start_id)
    generation = GenerationEndpoints(decoding_step, codec.encode, vocab, strategy, attention=False)
    text = tf.TensorSpec([None], tf.string, name="inputs")
    endpoints = generation.endpoints(text)

    def prime(inputs):
        states, _, first_ids = decoding_step.start(codec.encode(inputs))
        outputs = {"token_ids": first_ids}
        outputs.update({f"state_{i}": s for i, s in enumerate(states)})
        return outputs

    def step(token_ids, *states):
        logits, _, new_states = decoding_step(token_ids, list(states), ())
        outputs = {
            "logits": logits,
            "probabilities": tf.nn.softmax(logits),
            "tokens": codec.tokens(tf.range(tf.shape(logits)[-1])),
        }
        outputs.update({f"state_{i}": s for i, s in enumerate(new_states)})
        return outputs

    states, _, _ = decoding_step.start(tf.zeros([1, 1], tf.int32))
    state_specs = [
        tf.TensorSpec([None, s.shape[-1]], s.dtype, name=f"state_{i}") for i, s in enumerate(states)
    ]
    endpoints["prime"] = Endpoint(prime, [text])
    endpoints["step"] = Endpoint(
        step, [tf.TensorSpec([None], tf.int32, name="token_ids"), *state_specs]
    )
    texts = default_text_checks(vocab, check_inputs)

    def check(staging):
        generation.check(staging, {"inputs": texts}, pad_ids([vocab.encode(t) for t in texts]))

    info = ExportManifest(
        kind="language_model",
        inputs="strings",
        input=describe_input(text, form=f"prompts: {RAW_STRINGS}"),
        **generation.info(),
    ).to_json()
    return write_saved_model(
        path, endpoints, resources=[model, codec, generation.codec], check=check, info=info
    )
