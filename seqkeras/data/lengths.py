"""Length limits for encoded sequences, with a count of what was changed.

`limit_lengths` truncates, drops or rejects sequences longer than a limit and
returns a `LengthReport` saying how many were affected, so that nothing is
shortened or dropped without the user being told.
"""

import dataclasses
import logging
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple

from seqkeras.errors import DataError
from seqkeras.utils.arguments import check_choice
from seqkeras.utils.arguments import check_positive_int

logger = logging.getLogger("seqkeras.data")

ON_LONG_CHOICES = ("truncate", "drop", "error")


@dataclasses.dataclass(frozen=True)
class LengthReport:
    """What `limit_lengths` did.

    Attributes:
        total: sequences seen.
        truncated: sequences cut to `max_length`.
        dropped: sequences removed.
        longest: the longest length seen before limiting.
        kept: indices (into the input) of the sequences returned.
    """

    total: int
    truncated: int
    dropped: int
    longest: int
    kept: Tuple[int, ...]


def limit_lengths(
    sequences: Sequence[Sequence],
    max_length: int,
    *,
    on_long: str = "truncate",
    where: Optional[Sequence[str]] = None,
    name: str = "sequence",
) -> Tuple[List[Sequence], LengthReport]:
    """Apply a length limit to `sequences`.

    Args:
        sequences: token lists (or any sliceable sequences).
        max_length: the longest allowed length.
        on_long: what to do with a longer sequence: ``"truncate"`` keeps its
            first `max_length` items, ``"drop"`` removes it, ``"error"`` raises.
            Defaults to ``"truncate"``.
        where: for error messages, where each sequence came from (for example
            ``Records.where(i)``, "file.tsv, line 12"). Defaults to `None`,
            which names the example index.
        name: what a sequence is called in messages (a column name).
            Defaults to ``"sequence"``.

    Returns:
        ``(sequences, report)``: the limited sequences and a `LengthReport`.
        Truncations and drops are also logged at WARNING level.

    Raises:
        DataError: `on_long="error"` and a sequence is longer than the limit;
            the message says where it came from.
    """
    check_positive_int("max_length", max_length)
    check_choice("on_long", on_long, ON_LONG_CHOICES)
    kept_sequences, kept, truncated, dropped, longest = [], [], 0, 0, 0
    for index, sequence in enumerate(sequences):
        length = len(sequence)
        longest = max(longest, length)
        if length <= max_length:
            kept_sequences.append(sequence)
            kept.append(index)
        elif on_long == "error":
            origin = where[index] if where is not None else f"example {index}"
            raise DataError(
                f"{origin}: {name} has {length} tokens, longer than max_length={max_length}."
            )
        elif on_long == "truncate":
            kept_sequences.append(sequence[:max_length])
            kept.append(index)
            truncated += 1
        else:
            dropped += 1
    report = LengthReport(
        total=len(sequences),
        truncated=truncated,
        dropped=dropped,
        longest=longest,
        kept=tuple(kept),
    )
    if truncated or dropped:
        logger.warning(
            "%s: %d of %d truncated and %d dropped at max_length=%d (longest was %d).",
            name,
            truncated,
            report.total,
            dropped,
            max_length,
            longest,
        )
    return kept_sequences, report
