"""Sample predictions as a TSV file."""

import csv
import pathlib
from typing import Any
from typing import Dict
from typing import List

from seqkeras.utils.atomic_files import replaced_atomically


def write_predictions(path: pathlib.Path, rows: List[Dict[str, Any]]) -> None:
    """Write `rows` (dicts with the same keys) as a tab-separated file."""
    with replaced_atomically(path) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            if rows:
                writer = csv.DictWriter(
                    handle, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n"
                )
                writer.writeheader()
                writer.writerows(rows)
