"""A safe YAML loader that refuses a key given twice in one mapping."""

import collections.abc

import yaml

from seqkeras.pipeline.config.bounded_yaml import BoundedSafeLoader

_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping holds `key` twice; `problem_mark` is the second one.

    `where` is the mapping's key path as `BoundedSafeLoader` writes it
    (``"model: "``), empty at the top level.
    """

    def __init__(self, key, where, mapping_mark, first_mark, again_mark):
        self.key, self.where = key, where
        first, again = first_mark.line + 1, again_mark.line + 1
        super().__init__(
            "while constructing a mapping",
            mapping_mark,
            f"{where}duplicate key {key!r} at lines {first} and {again}; a mapping holds each "
            f"key once, so keep one of them",
            again_mark,
        )


class UniqueKeyLoader(BoundedSafeLoader):
    """`BoundedSafeLoader` that raises `DuplicateKeyError` for a repeated key.

    PyYAML keeps the last of two equal keys and says nothing, so a pipeline
    that sets `model.units` twice trains with whichever comes second. The
    YAML spec requires keys to be unique; this loader enforces it and names
    both lines. Keys are compared as YAML constructs them (`1` and `0x1`
    are one key, `1` and `"1"` are two). Keys brought in by a merge (`<<:`)
    may be overridden, as the merge-key spec intends. The message names the
    mapping's key path (``model: duplicate key 'units' at lines 3 and 5``).
    It constructs nothing beyond what `yaml.safe_load` does.

    Example:

    ```python
    yaml.load("a: 1\\nb: 2\\n", Loader=seqkeras.pipeline.config.unique_key_loader.UniqueKeyLoader)
    ```
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self._check_unique_keys(node)
        return super().construct_mapping(node, deep=deep)

    def _check_unique_keys(self, node: yaml.MappingNode) -> None:
        first_marks = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, collections.abc.Hashable):
                continue  # SafeLoader refuses it, with its own message
            if key in first_marks:
                raise DuplicateKeyError(
                    key,
                    self.key_path_of(node),
                    node.start_mark,
                    first_marks[key],
                    key_node.start_mark,
                )
            first_marks[key] = key_node.start_mark
