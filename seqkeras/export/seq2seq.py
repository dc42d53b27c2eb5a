"""Export a seq2seq model as a SavedModel that maps strings to strings."""

from typing import Optional, Sequence

import keras
import numpy as np
import tensorflow as tf

from seqkeras.data import Vocabulary
from seqkeras.export.attention_generator import AttentionGenerator
from seqkeras.export.attention_generator import default_text_checks
from seqkeras.export.check import check_reloaded
from seqkeras.export.saved_model_writer import write_saved_model
from seqkeras.export.text_codec import TextCodec
from seqkeras.utils.arguments import check_optional_positive_int


def export_seq2seq(
    model: keras.Model,
    source_vocab: Vocabulary,
    target_vocab: Vocabulary,
    path: str,
    *,
    max_length: int,
    beam_width: int = 4,
    length_penalty_alpha: float = 0.6,
    max_source_length: Optional[int] = None,
    check_inputs: Optional[Sequence[str]] = None,
) -> str:
    """Write a SavedModel that translates raw strings, with no seqkeras needed.

    Signatures:

    - `serving_default(inputs)`: `inputs` a 1-D `tf.string` tensor; returns
      `outputs` (decoded strings, greedy), `scores` (summed
      log-probabilities), `lengths` (generated tokens, `<end>` included) and
      `attention` `(batch, target_steps, source_steps)`.
    - `beam_search(inputs)`: the same with beam search (`beam_width`,
      `length_penalty_alpha`); `scores` are length-normalised.
    - `encode(inputs)` -> `memory`, `memory_mask`, `state_0`...; and
      `step(token_ids, memory, memory_mask, state_0, ...)` -> `logits`,
      `alignments`, `state_0`...: one decoder step with the state passed in
      and out, for callers who drive decoding themselves.

    Tokenizing, vocabulary lookups, padding, decoding and detokenizing all
    run in the graph. Unknown characters map to `<unk>`; an empty string
    gets a (usually short) answer.

    After writing, the export is reloaded and its `serving_default` and
    `beam_search` outputs for `check_inputs` are compared with the
    in-process model's (encoded and decoded in Python); on a mismatch it
    raises and leaves nothing at `path`.

    Args:
        model: A `seqkeras.models.build_seq2seq` model.
        source_vocab: `seqkeras.data.Vocabulary` of the source side.
        target_vocab: `seqkeras.data.Vocabulary` of the target side.
        path: Directory to write; an earlier export there is replaced.
        max_length: Most target tokens generated per input.
        beam_width: Beam width of `beam_search`. Defaults to `4`.
        length_penalty_alpha: GNMT length penalty of `beam_search`.
            Defaults to `0.6`.
        max_source_length: Optional positive integer: longer inputs are cut
            to this many tokens. Defaults to `None` (no limit).
        check_inputs: Strings for the check; always joined by an empty
            string, unseen characters and a long string. Defaults to `None`.

    Returns:
        The absolute path of the export.

    Raises:
        ValueError: for an invalid argument.
        seqkeras.export.ExportCheckError: if the reloaded export disagrees.

    Example:

    ```python
    seqkeras.export.export_seq2seq(
        model, source_vocab, target_vocab, "runs/dates/export", max_length=12)
    ```
    """
    check_optional_positive_int("max_source_length", max_source_length)
    source = TextCodec(source_vocab)
    generator = AttentionGenerator(
        model,
        target_vocab,
        lambda texts: source.encode(texts, max_source_length),
        max_length=max_length,
        beam_width=beam_width,
        length_penalty_alpha=length_penalty_alpha,
    )
    generator.source = source
    signatures = generator.signatures(tf.TensorSpec([None], tf.string, name="inputs"))
    texts = default_text_checks(source_vocab, check_inputs)

    def check(staging):
        ids = [source_vocab.encode(t)[:max_source_length] for t in texts]
        padded = np.zeros((len(ids), max(1, max(map(len, ids)))), "int32")
        for row, row_ids in enumerate(ids):
            padded[row, : len(row_ids)] = row_ids
        for signature, strategy in (("serving_default", "greedy"), ("beam_search", "beam")):
            expected = generator.reference(padded, strategy, target_vocab)
            check_reloaded(staging, signature, {"inputs": texts}, expected)

    info = {
        "kind": "seq2seq",
        "inputs": "strings",
        "signatures": sorted(signatures),
        "max_length": max_length,
        "beam_width": beam_width,
        "length_penalty_alpha": length_penalty_alpha,
    }
    return write_saved_model(generator, path, signatures, check=check, info=info)
