"""Typed config sections: dataclass fields that carry their rules, checked on load.

`option` declares a field with its constraints and help text; `from_dict` builds
a section from a parsed YAML mapping, refusing unknown keys (with "did you
mean"), wrong types and out-of-range values with a `ConfigError` naming the
dotted key path; `dataclass_schema` describes the same rules as JSON Schema.
`seqkeras.pipeline.config.schema` declares the pipeline's sections with them.
"""

import dataclasses
import difflib
import math
import re
import typing
from typing import Any
from typing import Dict
from typing import List

from seqkeras.errors import ConfigError
from seqkeras.utils.shown import shown


def option(
    default, *, help: str, choices=None, minimum=None, maximum=None, length=None, pattern=None
):
    """A dataclass field with its constraints and help text in `metadata`.

    For a list of integers, `minimum` and `maximum` bound each item and
    `length` is the required number of items. `pattern` is a `(regular
    expression, what it means in words)` pair that a string must match whole.
    """
    metadata = {
        "help": help,
        "choices": choices,
        "minimum": minimum,
        "maximum": maximum,
        "length": length,
        "pattern": pattern,
    }
    if isinstance(default, (list, dict)) or dataclasses.is_dataclass(default):
        factory = default if callable(default) else (lambda value=default: value)
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


#: A number in exponent notation without a dot, which YAML 1.1 leaves a string.
SCIENTIFIC = r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+"
#: Any other integer: what TensorFlow's int32 shapes and counters hold.
MAX_INT = 2**31 - 1
#: A column by name (CSV/TSV header, JSON field, tfds feature, CoNLL-U field)
#: or by 0-based index (CoNLL files have no header).
ColumnName = typing.Union[int, str]


def from_dict(cls, values: Any, *, source: str, path: str = ""):
    """Build the dataclass `cls` from a mapping, validating every key."""
    where = f"{source}: {path or '<top level>'}"
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a mapping, got {shown(values)}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, value in values.items():
        key_path = f"{path}.{key}" if path else str(key)
        if key not in fields:
            raise ConfigError(_unknown_key_message(source, key_path, key, list(fields)))
        kwargs[key] = _convert(hints[key], value, fields[key].metadata, source, key_path)
    return cls(**kwargs)


def _unknown_key_message(source: str, key_path: str, key: Any, known: List[str]) -> str:
    message = f"{source}: {key_path}: unknown key {key!r}"
    close = difflib.get_close_matches(str(key), known, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    return message + f" Expected one of: {', '.join(known)}."


def _without_none(hint):
    """`(hint, optional)`: `Optional[X]` as `(X, True)`, keeping unions such as `ColumnName`."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is not typing.Union or type(None) not in args:
        return hint, False
    rest = tuple(a for a in args if a is not type(None))
    return (rest[0] if len(rest) == 1 else typing.Union[rest]), True


def _convert(hint, value, metadata, source: str, key_path: str):
    hint, optional = _without_none(hint)
    if optional and value is None:
        return None
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, source=source, path=key_path)
    if typing.get_origin(hint) is list and typing.get_args(hint) == (int,):
        return _integer_list(value, metadata, source, key_path)
    if typing.get_origin(hint) is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"{source}: {key_path}: got {shown(value)}; expected a list of strings."
            )
        choices = metadata.get("choices")
        for item in value if choices else ():
            if item not in choices:
                raise ConfigError(
                    f"{source}: {key_path}: got {shown(item)} in {shown(value)}; expected "
                    f"items among: {', '.join(choices)}."
                )
        return list(value)
    if hint == ColumnName:
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            if isinstance(value, int) and value < 0:
                raise ConfigError(
                    f"{source}: {key_path}: got {shown(value)}; expected a column name or a "
                    f"0-based column index."
                )
            return value
        raise ConfigError(
            f"{source}: {key_path}: got {shown(value)}; expected a column name or a 0-based "
            f"column index."
        )
    expected = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}[hint]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if hint is float and isinstance(value, str) and re.fullmatch(SCIENTIFIC, value.strip()):
        # YAML 1.1 reads 1e-3 (no dot) as a string; it is plainly a number.
        value = float(value)
    if not isinstance(value, hint) or (hint is not bool and isinstance(value, bool)):
        raise ConfigError(f"{source}: {key_path}: got {shown(value)}; expected {expected}.")
    if hint is float and not math.isfinite(value):
        raise ConfigError(f"{source}: {key_path}: got {shown(value)}; expected a finite number.")
    pattern = metadata.get("pattern")
    if pattern and not re.fullmatch(pattern[0], value):
        raise ConfigError(f"{source}: {key_path}: got {shown(value)}; expected {pattern[1]}.")
    choices = metadata.get("choices")
    if choices and value not in choices:
        message = (
            f"{source}: {key_path}: got {shown(value)}; expected one of: {', '.join(choices)}."
        )
        close = difflib.get_close_matches(str(value), choices, n=1)
        if close:
            message = message[:-1] + f" (did you mean {close[0]!r}?)."
        raise ConfigError(message)
    low, high = metadata.get("minimum"), metadata.get("maximum")
    if hint is int and high is None and value > MAX_INT:
        high = MAX_INT
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            bounds = f">= {low}"
        else:
            bounds = f"<= {high}" if low is None else f"between {low} and {high}"
        raise ConfigError(f"{source}: {key_path}: got {shown(value)}; expected a value {bounds}.")
    return value


def _integer_list(value, metadata, source: str, key_path: str) -> List[int]:
    length, low, high = metadata.get("length"), metadata.get("minimum"), metadata.get("maximum")
    if high is None:  # as for a single integer: what TensorFlow's int32 shapes hold
        high = MAX_INT
    count = f"{length} " if length else ""
    bounds = f" <= {high}" if low is None else f" between {low} and {high}"
    integers = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    )
    if (
        not integers
        or (length and len(value) != length)
        or (not length and not value)
        or (low is not None and any(v < low for v in value))
        or any(v > high for v in value)
    ):
        raise ConfigError(
            f"{source}: {key_path}: got {shown(value)}; expected a list of {count}integers{bounds}."
        )
    return list(value)


def to_dict(config) -> Dict[str, Any]:
    """The config as plain nested dicts, for writing `config.yaml`."""
    return dataclasses.asdict(config)


def dataclass_schema(cls) -> Dict[str, Any]:
    """A JSON Schema object of the dataclass `cls`, its sections nested."""
    hints = typing.get_type_hints(cls)
    properties = {}
    for field in dataclasses.fields(cls):
        properties[field.name] = _field_schema(hints[field.name], field)
    schema = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    return schema


def _field_schema(hint, field) -> Dict[str, Any]:
    hint, optional = _without_none(hint)
    if dataclasses.is_dataclass(hint):
        schema = dataclass_schema(hint)
    elif typing.get_origin(hint) is list:
        factory = field.default_factory
        schema = {
            "type": "array",
            "items": {"type": "integer" if typing.get_args(hint) == (int,) else "string"},
            "default": field.default if factory is dataclasses.MISSING else factory(),
        }
        meta = field.metadata
        if meta.get("choices"):
            schema["items"]["enum"] = list(meta["choices"])
        if meta.get("minimum") is not None:
            schema["items"]["minimum"] = meta["minimum"]
        if meta.get("length"):
            schema["minItems"] = schema["maxItems"] = meta["length"]
    elif hint == ColumnName:
        schema = {"type": ["integer", "string"], "default": field.default}
    else:
        schema = {"type": {bool: "boolean", int: "integer", float: "number", str: "string"}[hint]}
        schema["default"] = field.default
        meta = field.metadata
        if meta.get("choices"):
            schema["enum"] = list(meta["choices"]) + ([None] if optional else [])
        if meta.get("minimum") is not None:
            schema["minimum"] = meta["minimum"]
        if meta.get("maximum") is not None:
            schema["maximum"] = meta["maximum"]
        elif hint is int:
            schema["maximum"] = MAX_INT
        if meta.get("pattern"):
            schema["pattern"] = f"^{meta['pattern'][0]}$"
    if optional:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*kinds, "null"]
    schema["description"] = field.metadata.get("help", "")
    return schema
