"""A pipeline's examples: its data source read into a source and a target column.

The source is a built-in dataset (whose catalogue entry declares its
columns), the user's files (`data.dataset: files`: CSV, TSV, JSON Lines,
CoNLL, CoNLL-U) or a prepared TensorFlow Datasets dataset
(`data.dataset: tfds:<name>`); `data.source` and `data.target` name the
columns and say what they hold. Tasks see only `Examples` and the resolved
`ColumnSpec`s, never a dataset's name.
"""

import dataclasses
import os
import pathlib
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

import numpy as np

from seqkeras import data as sk_data
from seqkeras.data import ColumnSpec
from seqkeras.data.catalog import CATALOG
from seqkeras.data.catalog import TFDS_PREFIX
from seqkeras.data.images import image_problem
from seqkeras.data.splits import SPLITS
from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.config.schema import ColumnConfig
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.utils.process_temporary import temporary_files_inside
from seqkeras.utils.shown import shown

#: Share of the training data given to a split that has none of its own.
CARVED_SHARE = 0.1
#: Readers of the user's files, by suffix.
FILE_FORMATS = (".tsv", ".csv", ".jsonl", ".conll", ".conllu")


@dataclasses.dataclass
class Examples:
    """One split: source values, target values and where each came from.

    `sources[i]` is a string (text), a float32 `(T, D)` array (numbers) or
    an image path; `targets[i]` a label, a list of tags or a string;
    `where[i]` names the file and line (or dataset and index) for messages.
    """

    sources: List[Any]
    targets: List[Any]
    where: List[str]
    origin: str  # the file (or dataset and split) the examples came from

    def __len__(self) -> int:
        return len(self.sources)

    def select(self, indices) -> "Examples":
        return Examples(
            [self.sources[i] for i in indices],
            [self.targets[i] for i in indices],
            [self.where[i] for i in indices],
            self.origin,
        )

    def take(self, count: int) -> "Examples":
        return self.select(range(min(count, len(self))))


def resolve_columns(
    config: PipelineConfig,
    target_type: Optional[str],
    default_tokens: str = "char",
    source_types: Tuple[str, ...] = ("text", "numbers", "image"),
    source_type: str = "text",
    subword: bool = False,
) -> Tuple[ColumnSpec, Optional[ColumnSpec]]:
    """The source and target `ColumnSpec`s: the dataset's own, then the config's keys.

    `target_type` is what the task reads from the target (`label`, `tags`,
    `text`), or `None` for a task without one (the language model);
    `default_tokens` how text splits when neither the dataset nor the
    config says (CoNLL files: always ``whitespace``); `source_types` what
    the task can read from the source; `source_type` what the source holds
    when neither the dataset nor the config says; `subword` whether the
    task reads `tokens: subword` (SentencePiece pieces).

    Raises:
        ConfigError: for files and tfds datasets without a named column, or
            subword tokens the task cannot read.
    """
    data = config.data
    entry = CATALOG.get(data.dataset)
    if entry is not None:
        source, target = entry.source_column, entry.target_column
    elif data.dataset == "files":
        # The seq2seq spelling of earlier releases: data.files.source/target.
        files = data.files
        source = ColumnSpec(files.source, source_type, tokens=files.source_tokens)
        target = ColumnSpec(files.target, target_type or "text", tokens=files.target_tokens)
    else:
        source = target = None
    # A CoNLL sentence is a list of tokens, joined by spaces.
    tokens = "whitespace" if _is_conll(data) else default_tokens
    source = _override(source, data.source, "data.source", source_type, tokens)
    if source.type not in source_types:
        raise ConfigError(
            f"data.source.type: got {shown(source.type)}; the {config.task} task reads "
            f"{' or '.join(source_types)}."
        )
    _check_subword(source, "data.source", config, subword)
    if target_type is None:
        return source, None
    target = _override(target, data.target, "data.target", target_type, tokens)
    _check_subword(target, "data.target", config, subword)
    if target.type != target_type and not (target_type == "label" and target.type == "text"):
        raise ConfigError(
            f"data.target.type: got {shown(target.type)}; task {shown(config.task)} reads "
            f"{target_type} from its target."
        )
    return source, dataclasses.replace(target, type=target_type)


def _is_conll(data) -> bool:
    train = data.files.train if data.dataset == "files" else None
    return train is not None and pathlib.Path(train).suffix.lower() in (".conll", ".conllu")


def _override(
    spec, given: ColumnConfig, key: str, default_type: str, default_tokens: str
) -> ColumnSpec:
    if spec is None and given.column is None:
        raise ConfigError(
            f"{key}.column: required for this dataset; expected the name of the "
            f"column (or field, or tfds feature) that holds the "
            f"{'input' if key.endswith('source') else 'output'}."
        )
    spec = spec or ColumnSpec(given.column, given.type or default_type)
    changes = {
        name: getattr(given, name)
        for name in ("column", "type", "tokens", "vocabulary_size", "model_type", "time", "size")
        if getattr(given, name, None) is not None
    }
    if "size" in changes:
        changes["size"] = tuple(changes["size"])
    spec = dataclasses.replace(spec, **changes)
    if spec.type == "image" and spec.size is None:
        raise ConfigError(
            f"{key}.size: required for an image column; expected [height, width], the "
            f"size every image is resized to, such as [64, 64]."
        )
    if spec.type != "image" and spec.size is not None:
        raise ConfigError(
            f"{key}.size: got {shown(list(spec.size))}, but the column holds {spec.type}; "
            f"size is for image columns (type: image)."
        )
    if spec.type == "text" and spec.tokens is None:
        spec = dataclasses.replace(spec, tokens=default_tokens)
    return spec


def _check_subword(spec: ColumnSpec, key: str, config: PipelineConfig, allowed: bool) -> None:
    """`tokens: subword` with its `vocabulary_size`, only where the task reads it."""
    subword = spec.type == "text" and spec.tokens == "subword"
    if subword and not allowed:
        raise ConfigError(
            f"{key}.tokens: got 'subword', which task {config.task!r} does not read here: "
            f"expected char, word or whitespace. Subword tokens are for the text a classify "
            f"or seq2seq model reads and the text a seq2seq or caption model writes."
        )
    if subword and spec.vocabulary_size is None:
        raise ConfigError(
            f"{key}.vocabulary_size: required with tokens: subword; expected the number of "
            f"ids of the SentencePiece model, the 4 reserved ones included (such as 1000)."
        )
    what = f"{key}.tokens is {spec.tokens!r}" if spec.type == "text" else f"it holds {spec.type}"
    for name in ("vocabulary_size", "model_type"):
        value = getattr(spec, name)
        if value is not None and not subword:
            raise ConfigError(
                f"{key}.{name}: got {shown(value)}, but {what}; {name} is for text with "
                f"tokens: subword."
            )


def read_examples(
    config: PipelineConfig, source: ColumnSpec, target: Optional[ColumnSpec], smoke: bool
) -> Dict[str, Examples]:
    """The three splits of the configured data, as `Examples`.

    A split the data has no file (or tfds split) for is carved from the
    training examples with the pipeline's seed, every example of one source
    in one split.

    Raises:
        DataError: a missing or malformed file, a missing column, a value of
            the wrong kind (file and line named), or too few examples.
        ConfigError: a file of an unknown format.
    """
    dataset = config.data.dataset
    if dataset in CATALOG:
        splits = {s: _builtin(config, s, source, target) for s in SPLITS}
    elif dataset == "files":
        splits = _files(config, source, target)
    elif dataset.startswith(TFDS_PREFIX):
        splits = _tfds(config, source, target)
    else:
        raise ConfigError(
            f"data.dataset: got {shown(dataset)}; expected a built-in dataset "
            f"({', '.join(CATALOG)}), 'files' or 'tfds:<name>'."
        )
    if config.data.limit:
        splits["train"] = splits["train"].take(config.data.limit)
    if target is not None and target.type == "label":
        _check_two_classes(splits["train"])
    if smoke:
        # A couple of batches per split: every stage runs, in seconds.
        splits = {k: v.take(2 * config.data.batch_size) for k, v in splits.items()}
    return splits


def _check_two_classes(train: Examples) -> None:
    """A classifier trained on one class learns nothing: refuse it (before a smoke run's cut)."""
    classes = {str(label) for label in train.targets}
    if len(classes) == 1:
        raise DataError(
            f"{train.origin}: every training example has the label {classes.pop()!r}: one "
            f"class, nothing to learn; a classifier needs examples of at least two classes."
        )


def _builtin(config, split, source, target) -> Examples:
    options = {"path": config.data.path} if config.data.path else {}
    dataset = sk_data.load(config.data.dataset, split=split, seed=config.seed, **options)
    columns = _numpy_columns(dataset)
    origin = f"{config.data.dataset} {split}"
    return _examples(columns, source, target, lambda i: f"{origin} {i}", origin)


def _files(config, source, target) -> Dict[str, Examples]:
    files = config.data.files
    if files.train is None:
        raise ConfigError(
            "data.files.train: required when data.dataset is 'files'; expected the path "
            f"of a {', '.join(FILE_FORMATS)} file of training examples."
        )
    given = {}
    for split in SPLITS:
        path = getattr(files, split)
        if path is not None:
            given[split] = _read_file(
                path, f"data.files.{split}", source, target, config.data.source.max_pixels
            )
    return _carve(given, config.seed)


def _read_file(path: str, key: str, source: ColumnSpec, target, max_pixels: int) -> Examples:
    suffix = pathlib.Path(path).suffix.lower()
    if suffix not in FILE_FORMATS:
        raise ConfigError(
            f"{key}: got {shown(path)}; expected a file ending in {', '.join(FILE_FORMATS)}."
        )
    if not os.path.isfile(path):  # not Path.is_file: False, not OSError, for a name too long
        raise ConfigError(f"{key}: no such file {path!r}.")
    wanted = [source.column] + ([target.column] if target is not None else [])
    if suffix == ".conll":
        records = sk_data.read_conll(path, _indices(wanted, path))
    elif suffix == ".conllu":
        records = sk_data.read_conllu(path, [str(c) for c in wanted])
    elif suffix == ".jsonl":
        records = sk_data.read_jsonl(path, [str(c) for c in wanted])
    else:
        reader = sk_data.read_tsv if suffix == ".tsv" else sk_data.read_csv
        records = reader(path, wanted)
    columns = {c: records[_record_key(records, c)] for c in wanted}
    examples = _examples(columns, source, target, records.where, path)
    if source.type == "image":
        examples = _image_files(examples, pathlib.Path(path).parent, max_pixels)
    return examples


def _image_files(examples: Examples, base: pathlib.Path, max_pixels: int) -> Examples:
    """Image paths resolved against the file that names them, each checked to decode.

    Images declaring more than `max_pixels` pixels are refused before decoding.
    """
    paths = []
    for value, where in zip(examples.sources, examples.where):
        if not isinstance(value, str) or not value.strip():
            raise DataError(
                f"{where}: the image path is {value!r}; expected the path of a PNG or JPEG "
                f"file, relative to {examples.origin}."
            )
        path = base / value.strip()
        problem = image_problem(path, max_pixels)
        if problem is not None:
            raise DataError(f"{where}: image {value!r} ({path}): {problem}.")
        paths.append(str(path))
    return dataclasses.replace(examples, sources=paths)


def _indices(columns, path):
    for column in columns:
        if not isinstance(column, int):
            raise ConfigError(
                f"data.source/data.target: got column {column!r} for the CoNLL file "
                f"{path!r}; CoNLL files have no header: expected a 0-based column index."
            )
    return list(columns)


def _record_key(records, column):
    if column in records.columns:
        return column
    return str(column).lower() if str(column).lower() in records.columns else column


def _tfds(config, source, target) -> Dict[str, Examples]:
    name = config.data.dataset
    present, features = _tfds_info(name[len(TFDS_PREFIX) :])
    given = {}
    for split, candidates in (
        ("train", ("train",)),
        ("validation", ("validation", "dev")),
        ("test", ("test",)),
    ):
        found = next((c for c in candidates if c in present), None)
        if found is None:
            continue
        columns = _class_names(_numpy_columns(sk_data.load(name, split=found)), features)
        origin = f"{name} {found}"
        given[split] = _examples(columns, source, target, lambda i, o=origin: f"{o} {i}", origin)
    if "train" not in given:
        raise DataError(f"{name}: no 'train' split; it has: {', '.join(sorted(present))}.")
    return _carve(given, config.seed)


def _tfds_info(name: str):
    """The dataset's split names and features, from its builder."""
    import tensorflow_datasets as tfds

    try:
        with temporary_files_inside():  # tensorflow-datasets leaves an empty folder
            info = tfds.builder(name).info
    except Exception:  # noqa: BLE001 - tfds raises many kinds; sk_data.load explains
        return {"train", "test"}, {}
    # A dataset that is not prepared (and tfds.testing.mock_data) lists no
    # splits: take its train and test splits and carve the validation split.
    return set(info.splits) or {"train", "test"}, info.features


def _class_names(columns: Dict[str, list], features) -> Dict[str, list]:
    """ClassLabel ids (alone or in a Sequence) replaced by the feature's names."""
    import tensorflow_datasets as tfds

    for column, values in columns.items():
        feature = features[column] if column in list(features.keys()) else None
        inner = getattr(feature, "feature", None)
        if isinstance(feature, tfds.features.ClassLabel):
            columns[column] = [feature.names[int(v)] for v in values]
        elif isinstance(inner, tfds.features.ClassLabel):
            columns[column] = [[inner.names[int(t)] for t in v] for v in values]
    return columns


#: Examples read at a time from a dataset whose columns allow batching.
READ_BATCH = 4096


def _numpy_columns(dataset) -> Dict[str, list]:
    """Each column of a dict-of-tensors dataset as a list, one NumPy value per example.

    Read in batches where every column is fixed-shape or a vector of varying
    length: one example at a time, the iterator's own overhead made reading
    a built-in dataset's 24,000 examples take 10 s (0.1 s batched). Other
    layouts (nested or multi-dimensional ragged features of external
    datasets) are read one example at a time.
    """
    columns: Dict[str, list] = {}
    if _batchable(dataset.element_spec):
        for batch in dataset.ragged_batch(READ_BATCH):
            for key, value in batch.items():
                columns.setdefault(key, []).extend(_rows(value))
        return columns
    for example in dataset.as_numpy_iterator():
        for key, value in example.items():
            columns.setdefault(key, []).append(value)
    return columns


def _batchable(spec) -> bool:
    import tensorflow as tf

    return isinstance(spec, dict) and all(
        isinstance(s, tf.TensorSpec)
        and (s.shape.is_fully_defined() or (s.shape.rank == 1 and s.shape[0] is None))
        for s in spec.values()
    )


def _rows(value) -> list:
    """A batch's column as per-example values, as the one-at-a-time iterator gives them."""
    import tensorflow as tf

    if isinstance(value, tf.RaggedTensor):
        return [np.asarray(row, dtype=value.dtype.as_numpy_dtype) for row in value.numpy()]
    return list(value.numpy())


def _examples(
    columns, source: ColumnSpec, target: Optional[ColumnSpec], where, origin: str
) -> Examples:
    for spec in filter(None, (source, target)):
        if spec.column not in columns:
            raise DataError(
                f"{origin}: no column {spec.column!r}; it has: "
                f"{', '.join(repr(c) for c in columns)}."
            )
    count = len(columns[source.column])
    if target is not None and count and all(_is_empty(v) for v in columns[target.column]):
        # Otherwise a seq2seq model learns to output nothing and scores an
        # exact match of 1.0 against the empty references.
        expected = _TARGET_VALUES.get(target.type, "values")
        raise DataError(
            f"{origin}: the target column {target.column!r} is empty in all {count} "
            f"row(s): nothing to learn; expected {expected} in it."
        )
    places = [where(i) for i in range(count)]
    sources = [_value(v, source, places[i]) for i, v in enumerate(columns[source.column])]
    targets = [None] * count
    if target is not None:
        targets = [_value(v, target, places[i]) for i, v in enumerate(columns[target.column])]
    return Examples(sources, targets, places, origin)


#: What a target column of each type holds, for the "nothing to learn" message.
_TARGET_VALUES = {
    "label": "a label per row",
    "tags": "the tags of each row's tokens",
    "text": "the output text of each row",
}


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return not value.strip()
    if isinstance(value, (list, tuple, np.ndarray)):
        return len(value) == 0
    return False


def _value(value, spec: ColumnSpec, where: str):
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if spec.type == "text":
        if isinstance(value, (list, np.ndarray)) and all(
            isinstance(t, (str, bytes)) for t in value
        ):
            return " ".join(t.decode("utf-8") if isinstance(t, bytes) else t for t in value)
        if not isinstance(value, str):
            raise DataError(f"{where}: {spec.column!r} is {value!r}; expected text.")
        return value
    if spec.type == "numbers":
        try:
            array = np.asarray(value, dtype="float32")
        except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON int past 1e308
            raise DataError(
                f"{where}: {spec.column!r} is {_short(value)}; expected numbers: a list of "
                f"steps, each a list of the same count of numbers."
            ) from None
        if array.ndim == 0:  # one value of a series
            array = array.reshape(1, 1)
        elif array.ndim == 1:  # one number per step
            array = array[:, None]
        if array.ndim != 2 or not np.all(np.isfinite(array)):
            raise DataError(
                f"{where}: {spec.column!r} is {_short(value)}; expected a list of steps, "
                f"each a list of the same count of finite numbers."
            )
        return array
    if spec.type == "label":
        if isinstance(value, (np.integer, np.bool_)):
            value = int(value)
        if isinstance(value, str) and not value.strip():
            raise DataError(f"{where}: {spec.column!r} is empty; expected a label.")
        if not isinstance(value, (str, int)):
            raise DataError(f"{where}: {spec.column!r} is {_short(value)}; expected a label.")
        return value
    if spec.type == "tags":
        if isinstance(value, str):
            return value.split()
        tags = value if isinstance(value, (list, tuple, np.ndarray)) else None
        if tags is None or not all(isinstance(t, (str, bytes, int, np.integer)) for t in tags):
            raise DataError(
                f"{where}: {spec.column!r} is {_short(value)}; expected tags: a string of "
                f"space-separated tags or a list of them (names or ids)."
            )
        return [t.decode("utf-8") if isinstance(t, bytes) else _scalar(t) for t in tags]
    return value


def _scalar(value):
    return int(value) if isinstance(value, (np.integer, np.bool_)) else value


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _carve(given: Dict[str, Examples], seed: int) -> Dict[str, Examples]:
    missing = [split for split in ("validation", "test") if split not in given]
    if not missing:
        return given
    train = given["train"]
    needed = 1 + len(missing)
    if len(train) < needed * 2:
        raise DataError(
            f"{train.origin}: {len(train)} training example(s); carving "
            f"{' and '.join(missing)} from them needs at least {needed * 2}."
        )
    fractions = {split: CARVED_SHARE for split in missing}
    fractions["train"] = 1.0 - CARVED_SHARE * len(missing)
    groups = [s if isinstance(s, str) else i for i, s in enumerate(train.sources)]
    indices = sk_data.split_indices(len(train), fractions, seed=seed, groups=groups)
    for split, chosen in indices.items():
        if not len(chosen):
            raise DataError(
                f"{train.origin}: {len(set(groups))} distinct training "
                f"input(s) leave the carved {split} split empty (copies of one input stay "
                f"in one split); give more examples, or its own file under data.files."
            )
        given[split] = train.select(chosen)
    return given
