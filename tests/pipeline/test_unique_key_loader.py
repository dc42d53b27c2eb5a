"""A key given twice in one YAML mapping is refused, naming the key, the file and both lines.

Issue #14: PyYAML keeps the last of two equal keys without a word.
"""

import pytest
import yaml

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.config.unique_key_loader import DuplicateKeyError
from seqkeras.pipeline.config.unique_key_loader import UniqueKeyLoader
from tests.helpers import run_seqkeras


def write(directory, name, text):
    path = directory / name
    path.write_text(text)
    return path


def test_a_nested_duplicate_names_the_key_the_file_and_both_lines(tmp_path):
    path = write(
        tmp_path, "p.yaml", "task: classify\nmodel:\n  units: 8\n  cell: lstm\n  units: 16\n"
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"{path}, line 5, column 3: invalid YAML: model: duplicate key 'units' at lines 3 and 5; "
        f"a mapping holds each key once, so keep one of them."
    )


def test_a_duplicate_in_an_included_file_names_that_file(tmp_path):
    fragment = write(tmp_path, "train.yaml", "train:\n  epochs: 3\n\n  epochs: 4\n")
    path = write(tmp_path, "p.yaml", "include: [train.yaml]\ntask: classify\n")
    with pytest.raises(
        ConfigError, match=r"train: duplicate key 'epochs' at lines 2 and 4"
    ) as error:
        load_config(path)
    assert str(error.value).startswith(f"{fragment}, line 4, column 3: invalid YAML:")


def test_a_duplicate_top_level_section_is_refused(tmp_path):
    path = write(tmp_path, "p.yaml", "data: {batch_size: 8}\ntask: classify\ndata: {limit: 5}\n")
    with pytest.raises(
        ConfigError, match=r"p.yaml, line 3, .*duplicate key 'data' at lines 1 and 3"
    ):
        load_config(path)


def test_a_duplicate_in_a_set_value_names_the_option(tmp_path):
    path = write(tmp_path, "p.yaml", "task: classify\n")
    with pytest.raises(ConfigError, match=r"^--set: model: duplicate key 'units' in the value;"):
        load_config(path, ["model={units: 8, units: 16}"])
    with pytest.raises(
        ConfigError, match=r"^--set: model.attention: duplicate key 'units' in the value;"
    ):
        load_config(path, ["model={attention: {units: 8, units: 16}}"])


@pytest.mark.parametrize(
    "text, key",
    [("1: a\n0x1: b\n", 1), ("yes: a\ntrue: b\n", True), ("? [1, 2]\n: a\n? [1, 2]\n: b\n", None)],
    ids=["int-spellings", "bool-spellings", "unhashable"],
)
def test_keys_compare_as_yaml_constructs_them(text, key):
    if key is None:  # a list key: SafeLoader refuses it with its own message
        with pytest.raises(yaml.constructor.ConstructorError, match="found unhashable key"):
            yaml.load(text, Loader=UniqueKeyLoader)
        return
    with pytest.raises(DuplicateKeyError) as error:
        yaml.load(text, Loader=UniqueKeyLoader)
    assert error.value.key == key and error.value.problem_mark.line == 1


def test_distinct_keys_and_merge_overrides_load_as_safe_load_does():
    text = 'base: &b {units: 8, cell: gru}\nmodel:\n  <<: *b\n  units: 16\n1: int\n"1": str\n'
    assert yaml.load(text, Loader=UniqueKeyLoader) == yaml.safe_load(text)
    assert yaml.load(text, Loader=UniqueKeyLoader)["model"] == {"units": 16, "cell": "gru"}


def test_the_command_exits_2_and_makes_no_folder(tmp_path):
    write(tmp_path, "p.yaml", "name: twice\ntask: classify\nseed: 1\nseed: 2\n")
    result = run_seqkeras("run", "p.yaml", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1] == (
        "seqkeras run: error: p.yaml, line 4, column 1: invalid YAML: duplicate key 'seed' at "
        "lines 3 and 4; a mapping holds each key once, so keep one of them."
    )
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]
