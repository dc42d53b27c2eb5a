"""A safe YAML loader that reports hostile values as YAML errors instead of crashing.

`yaml.SafeLoader` never runs code, but a small file can still make it raise
something other than `yaml.YAMLError`: nesting deeper than Python's
recursion limit (a few hundred ``[``) raises `RecursionError`, an integer of
more than 4,300 digits and a date that does not exist (``2001-02-30``)
raise a plain `ValueError`. `BoundedSafeLoader` refuses them with a
`RefusedValue` (a `yaml.YAMLError`) that carries the line and column and
names the key path of the value, so code that turns YAML errors into
`ConfigError`s handles them too.
"""

from typing import Dict
from typing import List

import yaml

#: Deepest nesting of mappings and lists accepted. A pipeline nests four
#: levels (`data.source.size` and its list); Python's recursion limit would
#: stop the composer at a few hundred.
MAX_DEPTH = 50
#: Longest integer accepted, in decimal digits. No setting needs more; past
#: 4,300 digits Python refuses to print an integer, and past 309 it has no float.
MAX_INTEGER_DIGITS = 100
#: Key path components a message names before it elides the rest.
_SHOWN_COMPONENTS = 6
_SHOWN_CHARACTERS = 40

_INT_TAG = "tag:yaml.org,2002:int"


class RefusedValue(yaml.MarkedYAMLError):
    """A value `BoundedSafeLoader` refuses; `problem` names its key path."""


class BoundedSafeLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` with bounded nesting and integers; see the module docstring.

    Use it as `yaml.load(text, Loader=BoundedSafeLoader)` or
    `yaml.compose(text, Loader=BoundedSafeLoader)`; it constructs exactly
    what `yaml.safe_load` does for every document it accepts.

    Raises:
        RefusedValue: a value nested more than `MAX_DEPTH` levels deep, an
            integer of more than `MAX_INTEGER_DIGITS` digits, or a scalar
            its constructor cannot build (such as the date 2001-02-30).
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._key_path: List[str] = []
        self._node_paths: Dict[yaml.Node, str] = {}

    def compose_node(self, parent, index):
        if parent is not None:
            self._key_path.append(_component(index))
        try:
            if len(self._key_path) > MAX_DEPTH:
                raise RefusedValue(
                    problem=f"{_where(self._key_path)}nested more than {MAX_DEPTH} levels "
                    "deep; a pipeline's values nest a few levels",
                    problem_mark=self.peek_event().start_mark,
                )
            node = super().compose_node(parent, index)
            self._node_paths.setdefault(node, _where(self._key_path))
            return node
        finally:
            if parent is not None:
                self._key_path.pop()

    def key_path_of(self, node: yaml.Node) -> str:
        """Where a composed node sits: ``"data.files.train: "``, or ``""`` at the top."""
        return self._node_paths.get(node, "")

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as error:
            text = str(getattr(node, "value", ""))
            if len(text) > _SHOWN_CHARACTERS:
                text = text[:_SHOWN_CHARACTERS] + "..."
            raise RefusedValue(
                problem=f"{self.key_path_of(node)}{text!r} cannot be read ({error})",
                problem_mark=node.start_mark,
            ) from None

    def construct_bounded_int(self, node):
        value = self.construct_yaml_int(node)
        # Compared, not printed: printing an integer this long is what fails.
        if abs(value) >= 10**MAX_INTEGER_DIGITS:
            raise ValueError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
        return value


BoundedSafeLoader.add_constructor(_INT_TAG, BoundedSafeLoader.construct_bounded_int)


def _component(index) -> str:
    """A key path component: a mapping key's text, a list index, or `?` for a complex key."""
    if isinstance(index, int):
        return str(index)
    if isinstance(index, yaml.ScalarNode):
        text = index.value
        return text if len(text) <= _SHOWN_CHARACTERS else text[:_SHOWN_CHARACTERS] + "..."
    return "?"


def _where(key_path: List[str]) -> str:
    """``"data.files.train: "`` (long paths elided), or nothing at the top level."""
    if not key_path:
        return ""
    shown = ".".join(key_path[:_SHOWN_COMPONENTS])
    if len(key_path) > _SHOWN_COMPONENTS:
        shown += ".(...)"
    return f"{shown}: "
