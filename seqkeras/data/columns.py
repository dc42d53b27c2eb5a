"""`ColumnSpec`: where an example's input or output is, and what it holds."""

import dataclasses
from typing import Optional
from typing import Tuple
from typing import Union

#: What a column holds.
#: - ``text``: a string, split into tokens by `tokens` (``char``, ``word``,
#:   ``whitespace``, ``subword``), or a list of tokens (CoNLL);
#: - ``numbers``: a `(T, D)` array per example (or one number per row of a
#:   series);
#: - ``image``: an image file;
#: - ``label``: one class per example (a name, or an id into `names`);
#: - ``tags``: one tag per input token (names, or ids into `names`).
COLUMN_TYPES = ("text", "numbers", "image", "label", "tags")
#: SentencePiece's algorithms for ``subword`` tokens (`model_type`).
SUBWORD_MODEL_TYPES = ("unigram", "bpe")


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """One column of a dataset: its name (or index) and what it holds.

    Built-in datasets declare theirs in the catalog; for files and tfds
    datasets the pipeline's `data.source` / `data.target` name them.

    Attributes:
        column: The field name (CSV/TSV header, JSON field, tfds feature,
            CoNLL-U field) or 0-based CoNLL column.
        type: One of `COLUMN_TYPES`.
        tokens: How text splits into tokens (``"char"``, ``"word"``,
            ``"whitespace"``, or ``"subword"``: the pieces of a SentencePiece
            model trained on the training split), for `text`; `None`
            otherwise.
        vocabulary_size: For ``"subword"`` tokens: the SentencePiece
            model's ids, the 4 reserved ones included. Defaults to `None`.
        model_type: For ``"subword"`` tokens: ``"unigram"`` or ``"bpe"``.
            Defaults to `None` (unigram).
        names: Label or tag names by id, when the column stores ids.
            Defaults to `()`: names come from the data.
        time: For a series: the column the rows are ordered by. Defaults to
            `None`.
        size: For images: `(height, width)` they are resized to. Defaults
            to `None`.
        scale: For `numbers`: the factor the model multiplies the values by
            (a `keras.layers.Rescaling` inside the model), so that the model
            and its export take the values as the data holds them, such as
            pixel counts. Defaults to `None` (no scaling).
        units: For `numbers`: what the values are, in the user's words
            (recorded in the export's `seqkeras_export.json`). Defaults to
            `None` (unknown).
        value_range: For `numbers`: `(low, high)` the values lie in.
            Defaults to `None` (unknown).
    """

    column: Union[int, str]
    type: str
    tokens: Optional[str] = None
    vocabulary_size: Optional[int] = None
    model_type: Optional[str] = None
    names: Tuple[str, ...] = ()
    time: Optional[str] = None
    size: Optional[Tuple[int, int]] = None
    scale: Optional[float] = None
    units: Optional[str] = None
    value_range: Optional[Tuple[float, float]] = None

    def value_notes(self) -> dict:
        """What the column's numbers are (`units`, `range`), for an export to record."""
        return {"units": self.units or "as the data holds them", "range": self.value_range}

    def __post_init__(self):
        if self.type not in COLUMN_TYPES:
            raise ValueError(
                "Received an invalid value for `type`: expected one of "
                f"{', '.join(repr(t) for t in COLUMN_TYPES)}, got {self.type!r}."
            )
