"""Sample predictions as a TSV file."""

import csv
import os
import pathlib
from typing import Any
from typing import Dict
from typing import List


def write_predictions(path: pathlib.Path, rows: List[Dict[str, Any]]) -> None:
    """Write `rows` (dicts with the same keys) as a tab-separated file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        if rows:
            writer = csv.DictWriter(
                handle, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(rows)
    os.replace(temporary, path)
