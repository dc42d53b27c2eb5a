"""Reading a pipeline file: YAML, `include:` fragments and `--set` overrides."""

import copy
import os
import pathlib
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

import yaml

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.bounded_yaml import RefusedValue
from seqkeras.pipeline.config.fields import from_dict
from seqkeras.pipeline.config.schema import PipelineConfig
from seqkeras.pipeline.config.unique_key_loader import DuplicateKeyError
from seqkeras.pipeline.config.unique_key_loader import UniqueKeyLoader
from seqkeras.utils.file_checks import file_problem
from seqkeras.utils.shown import shown

#: Values a pipeline file may hold once its YAML aliases are expanded. A
#: real pipeline has a few hundred; a small file of nested aliases (a "billion
#: laughs") expands past any memory, and would hang the run.
MAX_EXPANDED_VALUES = 100_000
#: Most fragments one pipeline reads through `include:` (a file included twice
#: counts twice), and their most bytes in all. Without a cycle, a fan-out (each
#: file including the next a dozen times) still reads for minutes.
MAX_INCLUDED_FRAGMENTS = 256
MAX_INCLUDED_BYTES = 16 * 2**20


def load_config(path, overrides: Iterable[str] = ()) -> PipelineConfig:
    """Load, merge and validate a pipeline file.

    Fragments named in `include:` are merged in order, then the file's own
    keys, then each `--set key.path=value` override (its value read as YAML,
    so `--set train.epochs=3` gives an integer). Relative paths in
    `data.files` are looked up beside the pipeline file, then in the
    current directory, and kept absolute where found, so the run folder's
    `config.yaml` records the files the run read.

    Raises:
        ConfigError: naming the file and the dotted key path of the problem.
    """
    path = pathlib.Path(path)
    if not read_yaml_mapping(path):
        raise ConfigError(
            f"{path}: the file is empty; a pipeline needs at least `task` and `data` "
            f"(see pipelines/ for examples, `seqkeras schema` for every key)."
        )
    merged = _read_with_includes(path, stack=[], budget=_IncludeBudget())
    for override in overrides:
        key_path, value = parse_override(override)
        _set_path(merged, key_path, value)
    config = from_dict(PipelineConfig, merged, source=str(path))
    _resolve_data_files(config, path)
    return config


def parse_override(text: str):
    """Split `key.path=value` into (["key", "path"], parsed value)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip() or any(not part for part in key.strip().split(".")):
        raise ConfigError(f"--set: expected key.path=value, got {shown(text)}.")
    try:
        if raw.strip():
            _check_expanded_size(
                [(key.strip(), yaml.compose(raw, Loader=UniqueKeyLoader))], "--set"
            )
        value = yaml.load(raw, Loader=UniqueKeyLoader) if raw.strip() else None
    except DuplicateKeyError as error:
        inner = f".{error.where[: -len(': ')]}" if error.where else ""
        raise ConfigError(
            f"--set: {key.strip()}{inner}: duplicate key {error.key!r} in the value; a mapping "
            f"holds each key once, so keep one of them."
        ) from None
    except RefusedValue as error:
        raise ConfigError(f"--set: {key.strip()}: {error.problem}.") from None
    except yaml.YAMLError:
        value = raw
    return key.strip().split("."), value


def read_yaml_mapping(path: pathlib.Path) -> Dict[str, Any]:
    """The mapping at the top of the YAML file `path`; `{}` for an empty file.

    Raises:
        ConfigError: naming the file (and the line) when it is missing, not
            UTF-8, not YAML, holds a key twice in one mapping, has aliases that
            expand too far, or holds something other than a mapping.
    """
    problem = file_problem(path)  # never opened unless a regular file: a FIFO would block
    if problem is not None:
        raise ConfigError(f"{path}: {problem}.")
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=UniqueKeyLoader)
        if isinstance(root, yaml.MappingNode):
            _check_expanded_size([(getattr(k, "value", k), v) for k, v in root.value], path)
        values = yaml.load(text, Loader=UniqueKeyLoader)
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid UTF-8 ({error.reason}).") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        if isinstance(error, yaml.reader.ReaderError):  # a character YAML refuses: no mark
            start = text.rfind("\n", 0, error.position) + 1
            line = text.count("\n", 0, error.position) + 1
            where = f", line {line}, column {error.position - start + 1}"
            problem = f"unacceptable character #x{error.character:04x}: {error.reason}"
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}.") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(
            f"{path}: expected a mapping of keys at the top level, got {type(values).__name__}."
        )
    return values


def _check_expanded_size(values, where) -> None:
    """Refuse `(key, YAML node)` pairs whose aliases expand past `MAX_EXPANDED_VALUES`."""
    budget = MAX_EXPANDED_VALUES
    for key, value in values:
        stack = [value]
        while stack:
            node = stack.pop()
            budget -= 1
            if budget < 0:
                raise ConfigError(
                    f"{where}: {key}: its YAML aliases expand to more "
                    f"than {MAX_EXPANDED_VALUES:,} values; a pipeline needs far fewer "
                    f"(nested `&anchor`/`*alias` references are refused past that bound)."
                )
            if isinstance(node, yaml.MappingNode):
                stack.extend(item for pair in node.value for item in pair)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)


class _IncludeBudget:
    """What one pipeline's includes have read so far, against the bounds."""

    def __init__(self):
        self.fragments = 0
        self.bytes = 0

    def charge(self, fragment: pathlib.Path, including: pathlib.Path, key: str) -> None:
        self.fragments += 1
        self.bytes += os.path.getsize(fragment)
        if self.fragments > MAX_INCLUDED_FRAGMENTS or self.bytes > MAX_INCLUDED_BYTES:
            raise ConfigError(
                f"{including}: {key}: {fragment} makes more than "
                f"{MAX_INCLUDED_FRAGMENTS} included fragments or {MAX_INCLUDED_BYTES // 2**20} "
                f"MiB read in all (a file included twice counts twice); a pipeline includes "
                f"a few small fragments. Include each fragment once."
            )


def _read_with_includes(
    path: pathlib.Path, stack: List[pathlib.Path], budget: _IncludeBudget
) -> Dict[str, Any]:
    resolved = path.resolve()
    if resolved in stack:
        chain = " -> ".join(str(p) for p in [*stack, resolved])
        raise ConfigError(f"{path}: include: circular include ({chain}).")
    values = read_yaml_mapping(path)
    includes = values.pop("include", None)
    if includes is None:  # not `or []`: include: 0 or "" is a mistake to report
        includes = []
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ConfigError(f"{path}: include: expected a list of file paths, got {shown(includes)}.")
    merged: Dict[str, Any] = {}
    for index, name in enumerate(includes):
        fragment_path = _find_include(path, name)
        if fragment_path is None:
            raise ConfigError(
                f"{path}: include.{index}: no such file {name!r} (looked beside "
                f"the file and in the current directory)."
            )
        problem = file_problem(fragment_path)  # a directory or FIFO is named, never opened
        if problem is not None:
            raise ConfigError(f"{path}: include.{index}: {name!r} ({fragment_path}): {problem}.")
        budget.charge(fragment_path, path, f"include.{index}")
        _merge(merged, _read_with_includes(fragment_path, [*stack, resolved], budget))
    _merge(merged, values)
    return merged


def _find_include(path: pathlib.Path, name: str) -> Optional[pathlib.Path]:
    for base in (path.parent, pathlib.Path.cwd(), path.parent.parent):
        candidate = base / name
        if os.path.lexists(candidate):  # a directory or FIFO is found, and named as such
            return candidate
    return None


def _resolve_data_files(config: PipelineConfig, path: pathlib.Path) -> None:
    """Make `data.files` paths absolute: beside the pipeline file, else the working directory.

    A path found in neither place is left as written, for the reader's
    "no such file" message to echo.
    """
    files = config.data.files
    for split in ("train", "validation", "test"):
        name = getattr(files, split)
        if name is None or pathlib.Path(name).is_absolute():
            continue
        for base in (path.parent, pathlib.Path.cwd()):
            candidate = base / name
            if os.path.isfile(candidate):  # False, not OSError, for a name too long
                setattr(files, split, str(candidate.resolve()))
                break


def _merge(into: Dict[str, Any], values: Dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def _set_path(values: Dict[str, Any], key_path: List[str], value: Any) -> None:
    node = values
    for depth, key in enumerate(key_path[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            dotted = ".".join(key_path[: depth + 1])
            raise ConfigError(f"--set: {dotted} is {child!r}, not a section with keys.")
        node = child
    node[key_path[-1]] = value
