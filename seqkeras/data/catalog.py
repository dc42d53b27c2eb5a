"""The dataset catalogue: `load(name, split=..., seed=...)` and `list_datasets()`.

Built-in datasets are made from data that Python packages ship, built once
with a tensorflow-datasets builder and cached under the data directory:
``data_dir`` if given, else ``$SEQKERAS_DATA_DIR``, else
``~/.cache/seqkeras/datasets``. A name ``"tfds:<catalogue name>"`` loads a
tensorflow-datasets dataset the user has prepared (nothing is downloaded).
"""

import contextlib
import dataclasses
import importlib
import io
import logging
import os
import random
from typing import TYPE_CHECKING
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple
from typing import Union

import numpy as np

from seqkeras.data.columns import ColumnSpec
from seqkeras.errors import DataError
from seqkeras.utils.arguments import invalid
from seqkeras.utils.process_temporary import temporary_files_inside
from seqkeras.utils.shown import shown

if TYPE_CHECKING:
    import tensorflow as tf

logger = logging.getLogger("seqkeras.data")

TFDS_PREFIX = "tfds:"


@dataclasses.dataclass(frozen=True)
class DatasetEntry:
    """One built-in dataset, as `list_datasets` describes it.

    Attributes:
        name: the name `load` takes.
        topology: which model topology it exercises.
        summary: one line on what it is.
        sizes: examples per split with seed 0.
        fields: the feature names of each example.
        source: the Python package the data comes from.
        license: the data's licence.
        builder: ``"<module>.<class>"`` in `seqkeras.data.builtin`.
        options: extra keyword options `load` accepts for it.
        seeded: whether the seed changes the data (series split by time do
            not depend on it).
        sizes_vary_with_seed: split sizes depend on the seed (the splits
            count groups such as words or documents, not examples).
        source_column: the input `ColumnSpec` pipelines read.
        target_column: the output `ColumnSpec`, or `None` (language model).
        season: steps per season of a series, for the seasonal-naive
            baseline of forecasts; `None` for other data.
        normalized_scores: `(suffix, pattern)` pairs: sequence scores are
            also reported with `pattern` (a regular expression) removed from
            both sides, as `<metric>_<suffix>` (g2p results without stress).
    """

    name: str
    topology: str
    summary: str
    sizes: Dict[str, int]
    fields: tuple
    source: str
    license: str
    builder: str
    options: tuple = ()
    seeded: bool = True
    sizes_vary_with_seed: bool = False
    source_column: Optional[ColumnSpec] = None
    target_column: Optional[ColumnSpec] = None
    season: Optional[int] = None
    normalized_scores: Tuple[Tuple[str, str], ...] = ()

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


_ENTRIES = (
    DatasetEntry(
        name="digits_rows",
        topology="many-to-one",
        summary="handwritten 8x8 digits read row by row (8 steps x 8 pixels) -> digit",
        sizes={"train": 1437, "validation": 180, "test": 180},
        fields=("rows", "label", "index"),
        source="scikit-learn",
        license="CC BY 4.0",
        builder="digits_rows.DigitsRows",
        # Pixel counts 0-16: the model scales them, so its export takes raw images.
        source_column=ColumnSpec(
            "rows",
            "numbers",
            scale=1 / 16,
            units="pixel counts of an 8x8 digit, one image row a step",
            value_range=(0, 16),
        ),
        target_column=ColumnSpec("label", "label"),
    ),
    DatasetEntry(
        name="digit_captions",
        topology="one-to-many",
        summary="strips of 1-4 real digit images -> number words ('seven three one')",
        sizes={"train": 6000, "validation": 1000, "test": 1000},
        fields=("image", "grid", "caption", "digits", "digit_ids"),
        source="scikit-learn",
        license="CC BY 4.0",
        builder="digit_captions.DigitCaptions",
        source_column=ColumnSpec(
            "grid",
            "numbers",
            units="pixel intensities (pixel counts / 16), one 8x8 digit flattened a grid cell, "
            "empty cells zero",
            value_range=(0, 1),
        ),
        target_column=ColumnSpec("caption", "text", tokens="word"),
    ),
    DatasetEntry(
        name="dates",
        topology="seq2seq",
        summary="human-readable dates in 10 locales -> ISO 'YYYY-MM-DD'",
        sizes={"train": 24000, "validation": 3000, "test": 3000},
        fields=("source", "target", "locale", "format"),
        source="babel (Unicode CLDR)",
        license="Unicode License v3",
        builder="dates.Dates",
        source_column=ColumnSpec("source", "text", tokens="char"),
        target_column=ColumnSpec("target", "text", tokens="char"),
    ),
    DatasetEntry(
        name="cmudict",
        topology="seq2seq",
        summary="CMU Pronouncing Dictionary: spelling -> ARPAbet phonemes",
        sizes={"train": 108142, "validation": 13547, "test": 13477},
        fields=("word", "phonemes"),
        source="cmudict",
        license="BSD-style (CMU)",
        builder="cmudict.Cmudict",
        sizes_vary_with_seed=True,
        source_column=ColumnSpec("word", "text", tokens="char"),
        target_column=ColumnSpec("phonemes", "text", tokens="whitespace"),
        normalized_scores=(("without_stress", r"\d"),),
    ),
    DatasetEntry(
        name="text",
        topology="many-to-many (synchronous), TBPTT",
        summary="English text for character language models: Python's help topics",
        sizes={"train": 63, "validation": 8, "test": 8},
        fields=("title", "text"),
        source="Python (pydoc_data.topics)",
        license="PSF License",
        builder="text.Text",
        options=("path",),
        source_column=ColumnSpec("text", "text", tokens="char"),
    ),
    DatasetEntry(
        name="word_boundaries",
        topology="many-to-many (synchronous)",
        summary="text with spaces removed, each character tagged 1 if it begins a word",
        sizes={"train": 6575, "validation": 582, "test": 558},
        fields=("characters", "labels", "text"),
        source="Python (pydoc_data.topics)",
        license="PSF License",
        builder="word_boundaries.WordBoundaries",
        options=("path",),
        sizes_vary_with_seed=True,
        source_column=ColumnSpec("characters", "text", tokens="char"),
        target_column=ColumnSpec("labels", "tags", names=("inside", "word_start")),
    ),
    DatasetEntry(
        name="sunspots",
        topology="many-to-one (forecasting)",
        summary="yearly sunspot numbers 1700-2008, split chronologically",
        sizes={"train": 247, "validation": 31, "test": 31},
        fields=("year", "value"),
        source="statsmodels",
        license="Public domain",
        builder="sunspots.Sunspots",
        seeded=False,
        source_column=ColumnSpec("value", "numbers", time="year"),
        season=11,
    ),
    DatasetEntry(
        name="co2",
        topology="many-to-one (forecasting)",
        summary="weekly Mauna Loa CO2 1958-2001, gaps interpolated, split chronologically",
        sizes={"train": 1827, "validation": 229, "test": 228},
        fields=("date", "value", "interpolated"),
        source="statsmodels",
        license="Public domain",
        builder="co2.Co2",
        seeded=False,
        source_column=ColumnSpec("value", "numbers", time="date"),
        season=52,
    ),
)
CATALOG: Dict[str, DatasetEntry] = {entry.name: entry for entry in _ENTRIES}


def list_datasets() -> List[DatasetEntry]:
    """Describe the built-in datasets (without importing tensorflow-datasets)."""
    return list(_ENTRIES)


def format_catalog() -> str:
    """A plain-text table of the built-in datasets, for `seqkeras datasets`."""
    rows = [("name", "topology", "train/validation/test", "source")]
    for entry in _ENTRIES:
        sizes = "/".join(f"{entry.sizes[s]:,}" for s in ("train", "validation", "test"))
        rows.append((entry.name, entry.topology, sizes, entry.source))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows
    )


def default_data_dir() -> str:
    """``$SEQKERAS_DATA_DIR`` if set, else ``~/.cache/seqkeras/datasets``."""
    return os.environ.get("SEQKERAS_DATA_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "seqkeras", "datasets"
    )


@contextlib.contextmanager
def _keep_random_state():
    # Building a dataset draws from Python's global `random` (inside
    # tensorflow-datasets), and Keras seeds its weight initialisers from it:
    # without this, the same seed gave different models depending on whether
    # the dataset cache was just built or already there.
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


@contextlib.contextmanager
def _quiet_tfds():
    # tfds logs a warning for every config not declared on the class, which
    # is how seeds are passed; it is expected here, not a problem. Its
    # "Downloading and preparing" banner and progress bars (stdout, stderr)
    # would tell users of a download that never happens: a built-in dataset
    # is built from files installed packages ship.
    absl_logger = logging.getLogger("absl")
    level = absl_logger.level
    absl_logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        absl_logger.setLevel(level)


def get_builder(
    name: str,
    *,
    seed: int = 0,
    data_dir: Optional[Union[str, os.PathLike]] = None,
    path: Optional[Union[str, os.PathLike]] = None,
):
    """Return the (prepared) tensorflow-datasets builder of a built-in dataset.

    Raises:
        ValueError: unknown `name`, bad `seed`, or an option the dataset
            does not take.
        DataError: `path` is missing, empty or not UTF-8; the data folder is a
            file, or cannot be written and the dataset is not built there yet.
    """
    if name not in CATALOG:
        raise ValueError(
            f"Received an invalid value for `name`: expected one of "
            f"{', '.join(repr(n) for n in CATALOG)} or 'tfds:<name>', got {shown(name)}."
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise invalid("seed", "a non-negative integer", seed)
    entry = CATALOG[name]
    if path is not None and "path" not in entry.options:
        raise invalid("path", f"None (dataset {name!r} takes no path)", path)
    from seqkeras.data.builtin.base import make_config
    from seqkeras.data.readers import _read_utf8_lines

    if path is not None:
        _read_utf8_lines(path)  # DataError with file and line before tfds sees it
        path = os.fspath(path)
    module_name, class_name = entry.builder.split(".")
    module = importlib.import_module(f"seqkeras.data.builtin.{module_name}")
    builder_class = getattr(module, class_name)
    named = "data_dir" if data_dir is not None else "$SEQKERAS_DATA_DIR"
    if data_dir is None and not os.environ.get("SEQKERAS_DATA_DIR"):
        named = "the data cache"
    data_dir = os.fspath(data_dir) if data_dir is not None else default_data_dir()
    if os.path.exists(data_dir) and not os.path.isdir(data_dir):
        raise DataError(f"{named} ({data_dir}): not a folder; set it to a folder for the data.")
    with _quiet_tfds(), _keep_random_state(), temporary_files_inside(data_dir) as problem:
        builder = builder_class(
            config=make_config(seed, path, seeded=entry.seeded), data_dir=data_dir
        )
    import tensorflow as tf  # here: `seqkeras datasets` lists the catalogue without it

    if not tf.io.gfile.exists(os.path.join(builder.data_dir, "dataset_info.json")):
        if problem is not None:
            raise DataError(
                f"{named} ({data_dir}): cannot be written ({problem}), and dataset {name!r} "
                f"is not built there yet; set it to a folder you can write, or build the "
                f"dataset there once."
            )
        logger.info("Building dataset %r (seed %d) in %s, once.", name, seed, builder.data_dir)
    with _quiet_tfds(), _keep_random_state(), temporary_files_inside(data_dir):
        builder.download_and_prepare()
    return builder


def load(
    name: str,
    split: str = "train",
    *,
    seed: int = 0,
    data_dir: Optional[Union[str, os.PathLike]] = None,
    as_supervised: bool = False,
    **options: Any,
) -> "tf.data.Dataset":
    """Load a built-in dataset (or ``"tfds:<name>"``) as a `tf.data.Dataset`.

    The first load builds the dataset from package data and caches it under
    the data directory; later loads read the cache. Nothing is downloaded.

    Args:
        name: a built-in name (see `list_datasets`) or ``"tfds:<name>"``.
        split: ``"train"``, ``"validation"``, ``"test"``, ``"all"`` or any
            tfds split expression such as ``"train[:10%]"``. Defaults to
            ``"train"``.
        seed: decides the split assignment (and generated examples); the
            same seed always gives the same data. Defaults to 0.
        data_dir: the cache; defaults to `default_data_dir()`.
        as_supervised: return ``(input, target)`` tuples (see each dataset's
            supervised keys). Defaults to `False`: dicts of all fields.
        **options: ``path=`` for `text` and `word_boundaries`: the user's
            own UTF-8 text file; for ``tfds:`` names, passed to `tfds.load`.

    Returns:
        A dataset of dicts of fields (or tuples), in a fixed order.

    Raises:
        ValueError: unknown name, split or option.
        DataError: a `path` that cannot be read, or a tfds dataset that is
            not prepared under `data_dir`.

    Example:

    ```python
    train = seqkeras.data.load("dates", split="train", seed=0)
    next(iter(train))["source"]  # b'11 de fev. de 1938' (pt_BR, medium)
    ```
    """
    if name.startswith(TFDS_PREFIX):
        from seqkeras.data.readers import read_tfds

        return read_tfds(
            name[len(TFDS_PREFIX) :],
            split,
            data_dir=data_dir,
            as_supervised=as_supervised,
            **options,
        )
    unknown = set(options) - {"path"}
    if unknown:
        raise invalid("options", "only `path` (for text datasets)", sorted(unknown))
    builder = get_builder(name, seed=seed, data_dir=data_dir, path=options.get("path"))
    try:
        return builder.as_dataset(split=split, shuffle_files=False, as_supervised=as_supervised)
    except (ValueError, KeyError) as error:
        raise ValueError(
            f"Received an invalid value for `split`: expected 'train', 'validation', "
            f"'test', 'all' or a tfds split expression, got {shown(split)} ({error})."
        ) from None
