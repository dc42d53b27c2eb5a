"""Text columns' vocabularies: built from the training split, kept in the run folder.

A column with `tokens: char | word | whitespace` gets a `Vocabulary` of the
tokens it holds (`vocabulary.<name>.txt`); one with `tokens: subword` a
SentencePiece model trained on it (`vocabulary.<name>.model`). `seqkeras
evaluate`, `export` and `predict` read them back rather than building them
again.
"""

import logging
import pathlib
from typing import Dict
from typing import Iterable

from seqkeras.data.columns import ColumnSpec
from seqkeras.data.subword_vocabulary import SUBWORD
from seqkeras.data.subword_vocabulary import SubwordVocabulary
from seqkeras.data.vocabulary import Vocabulary
from seqkeras.errors import ConfigError
from seqkeras.errors import DataError

logger = logging.getLogger("seqkeras")

#: The file kind of each vocabulary class, by the suffix it is saved with.
_LOADERS = {
    Vocabulary.file_suffix: Vocabulary.load,
    SubwordVocabulary.file_suffix: SubwordVocabulary.load,
}


def build_vocabulary(texts: Iterable[str], spec: ColumnSpec, key: str, *, seed: int, smoke: bool):
    """The vocabulary of the text column `spec` (config key `key`), from `texts`.

    Subword models are trained with the pipeline's `seed`. A smoke run's few
    examples may hold fewer pieces than `vocabulary_size` asks for: its
    model is allowed to come out smaller, so that the smoke run checks the
    pipeline, not the size.

    Raises:
        ConfigError: `vocabulary_size` does not fit the training split, or
            the subword packages are not installed.
        DataError: the training split holds no text to train on.
    """
    if spec.tokens != SUBWORD:
        return Vocabulary.build(texts, split=spec.tokens)
    texts = list(texts)
    try:
        vocabulary = SubwordVocabulary.train(
            texts,
            spec.vocabulary_size,
            model_type=spec.model_type or "unigram",
            seed=seed,
            exact_size=not smoke,
        )
    except ImportError as error:
        raise ConfigError(f"{key}.tokens: got 'subword', but {error}") from None
    except ValueError as error:
        expected = getattr(error, "expected", None)
        if expected is None:
            raise DataError(
                f"{key}: cannot train a SentencePiece model on the training split's "
                f"{len(texts)} text(s): {error}"
            ) from None
        raise ConfigError(
            f"{key}.vocabulary_size: got {spec.vocabulary_size}; expected {expected}. "
            f"Lower it, or give more training text."
        ) from None
    if vocabulary.size < spec.vocabulary_size:
        logger.info(
            "%s: the smoke run's examples give %d subword ids of the %d asked for.",
            key,
            vocabulary.size,
            spec.vocabulary_size,
        )
    return vocabulary


def save_vocabularies(run_dir: pathlib.Path, vocabularies: Dict[str, object]) -> None:
    """Write each vocabulary as `vocabulary.<name>.txt` or `.model` in `run_dir`."""
    for name, vocabulary in vocabularies.items():
        vocabulary.save(pathlib.Path(run_dir) / f"vocabulary.{name}{vocabulary.file_suffix}")


def load_vocabularies(run_dir: pathlib.Path) -> Dict[str, object]:
    """The vocabularies `save_vocabularies` wrote, by name."""
    loaded = {}
    for path in sorted(pathlib.Path(run_dir).glob("vocabulary.*.*")):
        load = _LOADERS.get(path.suffix)
        if load is not None:
            loaded[path.name.split(".")[1]] = load(path)
    return loaded
