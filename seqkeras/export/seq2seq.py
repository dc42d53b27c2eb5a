"""Export a seq2seq model as a SavedModel that maps strings to strings."""

from typing import Optional
from typing import Sequence

import keras
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.decoding import DecodingStrategy
from seqkeras.export.attention_generator import attention_endpoints
from seqkeras.export.attention_generator import default_text_checks
from seqkeras.export.codecs.codec_choice import serving_requirements
from seqkeras.export.codecs.codec_choice import text_codec
from seqkeras.export.manifest import RAW_STRINGS
from seqkeras.export.manifest import ExportManifest
from seqkeras.export.manifest import describe_input
from seqkeras.export.portable_generator import write_portable_generator
from seqkeras.export.predictor import pad_ids
from seqkeras.export.saved_model_writer import write_saved_model
from seqkeras.utils.arguments import check_optional_positive_int


def export_seq2seq(
    model: keras.Model,
    source_vocab: Vocabulary,
    target_vocab: Vocabulary,
    path: str,
    *,
    strategy: DecodingStrategy,
    max_source_length: Optional[int] = None,
    check_inputs: Optional[Sequence[str]] = None,
    formats: Sequence[str] = (),
) -> str:
    """Write a SavedModel that translates raw strings, with no seqkeras needed.

    Signatures (`inputs`: a 1-D `tf.string` tensor):

    - `serving_default(inputs)`: decodes with `strategy`, the one the
      pipeline evaluated with; returns `outputs` (decoded strings),
      `scores` (summed log-probabilities, over the length penalty for beam
      search), `lengths` (generated tokens, `<end>` included) and
      `attention` `(batch, target_steps, source_steps)`.
    - `greedy(inputs)`, `beam_search(inputs, beam_width, length_penalty)`
      and `sample(inputs, seed, temperature, top_k)`: the same outputs with
      the other strategies, their options as inputs (`top_k` 0 is the whole
      vocabulary); at most `strategy.max_length` tokens.
    - `encode(inputs)` -> `memory`, `memory_mask`, `state_0`...; and
      `step(token_ids, memory, memory_mask, state_0, ...)` -> `logits`,
      `alignments`, `state_0`...: one decoder step with the state passed in
      and out, for callers who drive decoding themselves.

    Tokenizing, vocabulary lookups, padding, decoding and detokenizing all
    run in the graph. Unknown characters map to `<unk>`; an empty string
    gets a (usually short) answer. The strategy is recorded in
    `seqkeras_export.json` and `assets/seqkeras_decoding.json`.

    After writing, the export is reloaded and every decoding signature's
    outputs for `check_inputs` are compared with the in-process model's
    (encoded and decoded in Python); on a mismatch it raises and leaves
    nothing at `path`.

    Args:
        model: A `seqkeras.models.build_seq2seq` model.
        source_vocab: `seqkeras.data.Vocabulary` of the source side.
        target_vocab: `seqkeras.data.Vocabulary` of the target side.
        path: Directory to write; an earlier export there is replaced.
        strategy: The `seqkeras.decoding.DecodingStrategy` of
            `serving_default` (`Greedy`, `BeamSearch` or `Sampling`).
        max_source_length: Optional positive integer: longer inputs are cut
            to this many tokens, as the pipeline's `data.max_length` cuts
            them in training and evaluation. Defaults to `None` (no limit).
        check_inputs: Strings for the check; always joined by an empty
            string, unseen characters and a long string. Defaults to `None`.
        formats: `("onnx",)` also writes the encoder and one decoder step as
            `encoder.onnx` and `decoder_step.onnx` beside the SavedModel,
            with both vocabularies, for callers that run the decoding loop
            themselves (`seqkeras.export.portable_generator`). Defaults to
            `()`.

    Returns:
        The absolute path of the export.

    Raises:
        ValueError: for an invalid argument.
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.

    Example:

    ```python
    seqkeras.export.export_seq2seq(
        model, source_vocab, target_vocab, "runs/dates/export",
        strategy=seqkeras.decoding.BeamSearch(5, max_length=12))
    ```
    """
    check_optional_positive_int("max_source_length", max_source_length)
    source = text_codec(source_vocab)
    generation, endpoints = attention_endpoints(
        model,
        target_vocab,
        lambda texts: source.encode(texts, max_source_length),
        strategy,
        tf.TensorSpec([None], tf.string, name="inputs"),
    )
    texts = default_text_checks(source_vocab, check_inputs)
    ids = pad_ids([source_vocab.encode(t)[:max_source_length] for t in texts])

    def check(staging):
        generation.check(staging, {"inputs": texts}, ids)

    def portable(directory):
        formats_info = write_portable_generator(
            model, source_vocab, target_vocab, directory, formats, ids
        )
        return {"portable": formats_info}

    info = ExportManifest(
        kind="seq2seq",
        inputs="strings",
        input=describe_input(
            tf.TensorSpec([None], tf.string), form=RAW_STRINGS, max_length=max_source_length
        ),
        max_source_length=max_source_length,
        # The source vocabulary's needs join the target's (generation.info()).
        **{**generation.info(), **serving_requirements(source_vocab, target_vocab)},
    ).to_json()
    return write_saved_model(
        path,
        endpoints,
        resources=[model, source, generation.codec],
        check=check,
        info=info,
        extras=portable if formats else None,
    )
