"""`SubwordVocabulary`: SentencePiece subword pieces <-> ids, in Python and in the graph."""

import io
import itertools
import os
import re
from typing import Iterable
from typing import List
from typing import Union

import tensorflow as tf

from seqkeras.data.columns import SUBWORD_MODEL_TYPES
from seqkeras.data.vocabulary import END
from seqkeras.data.vocabulary import PAD
from seqkeras.data.vocabulary import RESERVED
from seqkeras.data.vocabulary import START
from seqkeras.data.vocabulary import UNK
from seqkeras.data.vocabulary import content_ids
from seqkeras.data.vocabulary import decoded_positions
from seqkeras.data.vocabulary import framed_ids
from seqkeras.data.vocabulary import framed_ids_in_graph
from seqkeras.errors import DataError
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_positive_int
from seqkeras.utils.arguments import invalid

SUBWORD = "subword"
#: SentencePiece's mark of a space (U+2581), at the start of the piece after it.
WORD_START = "\u2581"
MODEL_TYPES = SUBWORD_MODEL_TYPES
#: The extra that installs what subword tokens need (setup.py).
INSTALL_HINT = "pip install 'seqkeras[subword]'"

# SentencePiece's own words for a vocabulary size it cannot reach: too many
# pieces for the data, or fewer than its characters need.
_TOO_LARGE = re.compile(r"Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+)")
_TOKENIZER_NUMBERS = itertools.count()
_TOO_SMALL = re.compile(r"Vocabulary size is smaller than required_chars\. (\d+) vs (\d+)")


def import_sentencepiece():
    """The `sentencepiece` module, or an `ImportError` that says how to install it."""
    try:
        import sentencepiece
    except ImportError:
        raise ImportError(
            f"subword tokens need the sentencepiece package: {INSTALL_HINT}."
        ) from None
    return sentencepiece


def import_tensorflow_text():
    """The `tensorflow_text` module (it registers the SentencePiece graph ops).

    Imported only when subword tokens are used: a process that never meets
    them does not pay for it.
    """
    try:
        import tensorflow_text
    except ImportError:
        raise ImportError(
            f"subword tokens in a TensorFlow graph need the tensorflow-text package: "
            f"{INSTALL_HINT}."
        ) from None
    return tensorflow_text


def _as_text(text: Union[str, bytes]) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


class SubwordVocabulary:
    """Subword pieces <-> integer ids (a SentencePiece model), in Python and in a graph.

    The same reserved ids as `seqkeras.data.Vocabulary`: `<pad>`=0,
    `<unk>`=1, `<start>`=2 and `<end>`=3, then the pieces from id 4, so
    models, decoders and exports treat both alike. Text is split into pieces
    exactly as SentencePiece splits it, with no normalisation, so
    `decode(encode(text)) == text` for any text whose characters were seen
    in training (others come back as ``"<unk>"``). In a graph, tokenizing
    and detokenizing run tensorflow-text's `SentencepieceTokenizer` on the
    same model, and give the same ids and strings.

    Args:
        model_proto: a serialized SentencePiece model (bytes), as `train`
            makes and `save` writes.

    Raises:
        ValueError: `model_proto` is not a SentencePiece model with the
            reserved pieces at ids 0-3.

    Example:

    ```python
    vocab = seqkeras.data.SubwordVocabulary.train(texts, vocabulary_size=200)
    ids = vocab.encode("the cat sat", add_end=True)  # [.., .., 3]
    vocab.decode(ids)  # "the cat sat"
    vocab.encode_in_graph(tf.constant(["the cat sat"]))  # same ids, ragged
    ```

    References:
        Kudo & Richardson 2018, SentencePiece: A simple and language
        independent subword tokenizer and detokenizer for Neural Text
        Processing; Kudo 2018 (unigram); Sennrich et al. 2016 (BPE).
    """

    split = SUBWORD
    pad_id, unk_id, start_id, end_id = 0, 1, 2, 3
    #: The run folder keeps the model as `vocabulary.<name>.model`, the file
    #: SentencePiece's own tools read.
    file_suffix = ".model"

    def __init__(self, model_proto: bytes):
        spm = import_sentencepiece()
        if not isinstance(model_proto, (bytes, bytearray)):
            raise invalid("model_proto", "a serialized SentencePiece model (bytes)", model_proto)
        processor = spm.SentencePieceProcessor()
        try:
            processor.LoadFromSerializedProto(bytes(model_proto))
        except (RuntimeError, OSError):
            raise invalid(
                "model_proto", "a serialized SentencePiece model", bytes(model_proto[:20])
            ) from None
        reserved = tuple(processor.id_to_piece(i) for i in range(len(RESERVED)))
        if reserved != RESERVED:
            raise invalid("model_proto", f"a model whose ids 0-3 are {RESERVED}", reserved)
        self.model_proto = bytes(model_proto)
        self._processor = processor
        self.tokens = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        self._tokenizer = None

    # Training, saving and loading.

    @classmethod
    def train(
        cls,
        texts: Iterable[Union[str, bytes]],
        vocabulary_size: int,
        *,
        model_type: str = "unigram",
        seed: int = 0,
        exact_size: bool = True,
    ) -> "SubwordVocabulary":
        """Train a SentencePiece model on `texts`.

        Deterministic: one thread and a fixed seed, so the same texts give
        the same model (and a resumed run the same ids). Every character of
        `texts` gets a piece (`character_coverage` 1).

        Args:
            texts: the training strings (or UTF-8 bytes).
            vocabulary_size: the number of ids, the 4 reserved ones included.
            model_type: ``"unigram"`` (Kudo 2018) or ``"bpe"`` (byte-pair
                encoding). Defaults to ``"unigram"``.
            seed: SentencePiece's random seed. Defaults to 0.
            exact_size: `False` lets the vocabulary come out smaller when the
                texts hold fewer pieces (a smoke run's few examples).
                Defaults to `True`: exactly `vocabulary_size` ids, or an error.

        Raises:
            ValueError: `vocabulary_size` is more than the texts can give or
                fewer than their characters need (the message says the
                bound), or the texts are empty.
        """
        spm = import_sentencepiece()
        check_positive_int("vocabulary_size", vocabulary_size)
        check_choice("model_type", model_type, MODEL_TYPES)
        sentences = [_as_text(text) for text in texts]
        if not any(sentences):
            raise invalid("texts", "some non-empty text to train on", sentences[:3])
        model = io.BytesIO()
        spm.set_random_generator_seed(seed)
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(sentences),
                model_writer=model,
                vocab_size=vocabulary_size,
                model_type=model_type,
                hard_vocab_limit=exact_size,
                character_coverage=1.0,
                # Text comes back exactly as it went in: no Unicode
                # normalisation, spaces kept as they are.
                normalization_rule_name="identity",
                remove_extra_whitespaces=False,
                pad_id=0,
                unk_id=1,
                bos_id=2,
                eos_id=3,
                pad_piece=PAD,
                unk_piece=UNK,
                bos_piece=START,
                eos_piece=END,
                unk_surface=UNK,
                # One thread: the unigram trainer sums floats across threads,
                # in an order that changes between runs.
                num_threads=1,
                minloglevel=2,
            )
        except RuntimeError as error:
            raise _size_error(str(error), vocabulary_size) from None
        return cls(model.getvalue())

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the SentencePiece model file (`spm_encode --model` reads it too)."""
        with open(path, "wb") as handle:
            handle.write(self.model_proto)

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "SubwordVocabulary":
        """Read a model written by `save`.

        Raises:
            DataError: the file is missing or is not a SentencePiece model
                with the reserved pieces at ids 0-3.
        """
        path = os.fspath(path)
        try:
            with open(path, "rb") as handle:
                proto = handle.read()
        except OSError as error:
            raise DataError(f"{path}: cannot read the SentencePiece model ({error}).") from None
        try:
            return cls(proto)
        except ValueError as error:
            raise DataError(f"{path}: {error}") from None

    # Python encoding and decoding.

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def size(self) -> int:
        """The number of ids, reserved ones included."""
        return len(self.tokens)

    def token_to_id(self, token: str) -> int:
        return self._processor.piece_to_id(token)

    def id_to_token(self, index: int) -> str:
        if not 0 <= int(index) < len(self.tokens):
            raise invalid("index", f"an id in [0, {len(self.tokens)})", index)
        return self.tokens[int(index)]

    def tokenize(self, text: Union[str, bytes]) -> List[str]:
        """The pieces of `text` (a leading ``"▁"`` marks a space before them)."""
        return self._processor.encode(_as_text(text), out_type=str)

    def encode(
        self, text: Union[str, bytes], *, add_start: bool = False, add_end: bool = False
    ) -> List[int]:
        """Return the ids of `text`'s pieces; unseen characters become `<unk>`."""
        return framed_ids(self, self._processor.encode(_as_text(text)), add_start, add_end)

    def encode_batch(self, texts: Iterable[Union[str, bytes]], **kwargs) -> List[List[int]]:
        return [self.encode(text, **kwargs) for text in texts]

    def decode(self, ids: Iterable[int], *, stop_at_end: bool = True) -> str:
        """Turn ids back into text.

        `<pad>` and `<start>` are skipped; decoding stops at the first `<end>`
        unless `stop_at_end=False`; `<unk>` is written as ``"<unk>"``.
        """
        return self._processor.decode(content_ids(self, ids, stop_at_end))

    # In-graph tokenizing, for tf.data and for exported models.

    def graph_tokenizer(self):
        """A new tensorflow-text `SentencepieceTokenizer` of this model (int32 ids).

        A `tf.Module`: a SavedModel that tracks it carries the model, and
        loads where `tensorflow_text` has been imported. In a process, its
        model lives in TensorFlow's kernel cache, which
        `keras.backend.clear_session()` empties: make the vocabulary again
        (`SubwordVocabulary(vocab.model_proto)`) to tokenize in a graph after
        that.
        """
        text = import_tensorflow_text()
        # Each tokenizer needs a name of its own: two unnamed ones in one
        # SavedModel (a seq2seq's source and target) both come back from
        # `tf.saved_model.load` holding the first one's model.
        name = f"sentencepiece_{next(_TOKENIZER_NUMBERS)}"
        return text.SentencepieceTokenizer(model=self.model_proto, out_type=tf.int32, name=name)

    def _graph_tokenizer(self):
        if self._tokenizer is None:
            # Created eagerly, so that it outlives the tf.function that first
            # needed it, as `Vocabulary` keeps its lookup tables.
            with tf.init_scope():
                self._tokenizer = self.graph_tokenizer()
        return self._tokenizer

    def encode_in_graph(
        self, texts: tf.Tensor, *, add_start: bool = False, add_end: bool = False
    ) -> tf.RaggedTensor:
        """Encode a 1-D `tf.string` tensor into ragged `int32` ids, as `encode` does.

        A scalar string gives a dense 1-D tensor.
        """
        texts = tf.convert_to_tensor(texts, dtype=tf.string)
        if texts.shape.rank == 0:
            return self.encode_in_graph(texts[None], add_start=add_start, add_end=add_end)[0]
        ids = self._graph_tokenizer().tokenize(texts)
        return framed_ids_in_graph(self, ids, add_start, add_end)

    def decode_in_graph(self, ids: tf.Tensor) -> tf.Tensor:
        """Decode a dense ``(batch, time)`` id tensor into a 1-D `tf.string`, as `decode` does."""
        ids = tf.cast(ids, tf.int32)
        pieces = self._graph_tokenizer().id_to_string(ids)
        return join_pieces(
            tf.ragged.boolean_mask(pieces, decoded_positions(ids, self.start_id, self.end_id))
        )

    def __repr__(self) -> str:
        return f"SubwordVocabulary(size={self.size})"


def join_pieces(pieces: tf.RaggedTensor) -> tf.Tensor:
    """`(batch, (pieces))` to `(batch,)` strings, as SentencePiece's Python `decode` joins them.

    Every ``"▁"`` becomes a space, and the one space SentencePiece puts
    before the first word is dropped. tensorflow-text's own `detokenize`
    drops every leading space (an older SentencePiece's rule), so a text
    that starts with spaces would come back without them.
    """
    text = tf.strings.regex_replace(tf.strings.reduce_join(pieces, axis=-1), WORD_START, " ")
    return tf.strings.regex_replace(text, "^ ", "")


def _size_error(message: str, vocabulary_size: int) -> ValueError:
    too_large, too_small = _TOO_LARGE.search(message), _TOO_SMALL.search(message)
    if too_large:
        expected = f"at most {too_large.group(2)} for these texts (SentencePiece's limit)"
    elif too_small:
        expected = (
            f"at least {too_small.group(2)} for these texts (one id for every character "
            f"and the 4 reserved ones)"
        )
    else:
        return ValueError(f"SentencePiece could not train on these texts: {message}")
    error = invalid("vocabulary_size", expected, vocabulary_size)
    error.expected = expected  # for callers that name the setting their own way
    return error
