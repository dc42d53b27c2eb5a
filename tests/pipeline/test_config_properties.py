"""Property tests of the config loader and `--set` (issue #14, acceptance 2).

Any YAML value at any key path (every section and option of the schema,
and unknown keys), any `include:`, any pipeline file and any `--set` string
ends in a valid `PipelineConfig` or a `ConfigError` naming the key (or,
for text that is not YAML, the line): never another exception, never more
than `TIME_BOUND` seconds. A config that loads holds the value asked for
and survives its own `config.yaml`. Examples: tests/hypothesis_profiles.py.
"""

import dataclasses
import os
import re
import time
import typing

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import example  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from seqkeras.errors import ConfigError  # noqa: E402
from seqkeras.pipeline.config.fields import MAX_INT  # noqa: E402
from seqkeras.pipeline.config.fields import SCIENTIFIC  # noqa: E402
from seqkeras.pipeline.config.fields import from_dict  # noqa: E402
from seqkeras.pipeline.config.loading import load_config  # noqa: E402
from seqkeras.pipeline.config.schema import PipelineConfig  # noqa: E402
from seqkeras.pipeline.run_folders.folder_life import resolved_config  # noqa: E402

#: Thread CPU seconds one load may take (CPU time: a busy machine does not inflate it).
TIME_BOUND = 2.0
BASE = {"name": "prop", "task": "classify"}
#: The tests share one folder across examples; each example rewrites its files.
shared_folder = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def schema_fields(cls=PipelineConfig, prefix=()):
    """`(key path, field, type hint)` of every section and option, read from the schema."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        path = (*prefix, field.name)
        yield path, field, hints[field.name]
        if dataclasses.is_dataclass(hints[field.name]):
            yield from schema_fields(hints[field.name], path)


FIELDS = {path: (field, hint) for path, field, hint in schema_fields()}
SECTIONS = [()] + [path for path, (_, hint) in FIELDS.items() if dataclasses.is_dataclass(hint)]


def is_section(path) -> bool:
    return path in SECTIONS


# --- values -----------------------------------------------------------------------------


def plausible(field) -> list:
    """Values near what `field` accepts: its default, choices and bounds (and just past them)."""
    meta = field.metadata
    default = field.default
    if default is dataclasses.MISSING:
        default = field.default_factory()
    values = [default, *(meta.get("choices") or ())]
    for bound, step in ((meta.get("minimum"), -1), (meta.get("maximum"), 1)):
        if bound is not None:
            values += [bound, bound + step]
    if not dataclasses.is_dataclass(default):
        values.append([default])
    return [v for v in values if not dataclasses.is_dataclass(v)]


PLAUSIBLE = {path: plausible(field) for path, (field, _) in FIELDS.items() if plausible(field)}
NUMBERS = [0, -1, 1, MAX_INT, MAX_INT + 1, 2**32 - 1, 2**32, 2**63, 10**99, -(10**99)]
NUMBER_STRINGS = ["1e-3", "1E5", "-2e+2", ".5e1", "1e400", "nan", "inf", " 3 ", "0x10", "1_000"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**99), max_value=10**99),
    st.sampled_from(NUMBERS),
    st.floats(),
    # Every code point, lone surrogates and control characters included.
    st.text(st.characters(exclude_categories=()), max_size=20),
    st.sampled_from(NUMBER_STRINGS),
)
keys = st.one_of(st.text(max_size=8), st.integers(-3, 3), st.none(), st.booleans())
python_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=10,
)

#: YAML that no Python value dumps to: tags, anchors, special spellings, broken syntax and
#: hostile sizes. Each fits on one line.
FRAGMENTS = [
    ".nan",
    "-.inf",
    "1e400",
    "1.0e400",
    "0o17",
    "0b101",
    "0x" + "f" * 4000,
    "1" * 5000,
    "-" + "9" * 400,
    "1." + "1" * 5000,
    "190:20:30",
    "2001-12-14t21:59:43.10-05:00",
    "2001-02-30",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1, a: 2]",
    "!!python/object/apply:os.system [echo hacked]",
    "!!python/name:os.system",
    "!custom 1",
    "!!int 'x'",
    "!!float '1'",
    "!!str 3",
    "!!null x",
    "=",
    "<<",
    "&a [*a]",
    "&a {b: *a}",
    "*undefined",
    "'unterminated",
    '"\\ud800"',
    '"\\x00"',
    "{a: 1, a: 2}",
    "{? [1, 2]: 3}",
    "[" * 30 + "]" * 30,
    "[" * 80 + "]" * 80,
    "[" * 3000 + "]" * 3000,
    "{a: " * 600 + "1" + "}" * 600,
    "[" * 600,
]
fragments = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.builds(lambda n: "[" * n + "]" * n, st.integers(0, 2000)),
    st.builds(lambda n: "[" * n + "1" + "]" * n, st.integers(40, 60)),
    st.text(max_size=40),
)

# --- key paths --------------------------------------------------------------------------

unknown = st.one_of(keys, st.sampled_from(["Name", "modle", "units", "__class__", "a.b", ""]))
key_paths = st.one_of(
    st.sampled_from(sorted(FIELDS)),
    st.builds(lambda section, key: (*section, key), st.sampled_from(SECTIONS), unknown),
    st.lists(unknown, min_size=1, max_size=3).map(tuple),
).filter(lambda path: path[0] != "include")  # tested on its own below


def dotted(path) -> str:
    return ".".join(str(part) for part in path)


def blamed(path):
    """The key a `ConfigError` about a value at `path` must name.

    The path itself, unless it goes through an option (the option is then
    given a mapping) or an unknown key (the first unknown key).
    """
    for depth in range(1, len(path) + 1):
        prefix = path[:depth]
        if prefix not in FIELDS or not is_section(prefix):
            return prefix
    return path


def names_key(message: str, path) -> bool:
    key = dotted(path)
    if any(form in message for form in (f": {key}:", f": {key}.", f"--set: {key} ")):
        return True
    # Aliases are counted per top-level key, named as the YAML spells it, before any
    # value is read.
    top = path[0]
    if top is None or isinstance(top, bool):
        top = yaml.safe_dump(top).splitlines()[0]
    return f": {top}: its YAML aliases expand" in message


def invalid_yaml_at_a_line(message: str) -> bool:
    return re.search(r", line \d+, column \d+: invalid YAML: ", message) is not None


# --- loading ----------------------------------------------------------------------------


def nested(path, value):
    document = dict(BASE)
    node = document
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):  # new, or a BASE option made a section
            node[part] = {}
        node = node[part]
    node[path[-1]] = value
    return document


def load_within_bound(path, overrides=()):
    """`load_config`, asserting its CPU time; returns the config or the `ConfigError`."""
    started = time.thread_time()
    try:
        return load_config(path, overrides)
    except ConfigError as error:
        return error
    finally:
        spent = time.thread_time() - started
        assert spent < TIME_BOUND, f"loading took {spent:.1f} s of CPU"


def assert_survives_its_config_yaml(config):
    """The run folder's config.yaml reads back to the same config (evaluate relies on it)."""
    values = yaml.safe_load(resolved_config(config))
    assert from_dict(PipelineConfig, values, source="config.yaml") == config


def expected_option(path, value, folder):
    """What the config holds after loading `value` at the option `path`."""
    field, hint = FIELDS[path]
    if value is None:
        return None
    if float in typing.get_args(hint) or hint is float:
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str) and re.fullmatch(SCIENTIFIC, value.strip()):
            return float(value)
    if path[:2] == ("data", "files") and path[2] in ("train", "validation", "test"):
        if os.path.isabs(value):
            return value
        for base in (folder, os.getcwd()):
            if os.path.isfile(os.path.join(base, value)):
                return os.path.realpath(os.path.join(base, value))
    return value


def assert_holds(config, path, value, folder):
    """The loaded config holds `value` at `path` (each key of a mapping given to a section)."""
    if is_section(path):
        for key, item in (value or {}).items():  # null: the section's defaults
            assert_holds(config, (*path, key), item, folder)
        return
    got = config
    for part in path:
        got = getattr(got, part)
    assert got == expected_option(path, value, folder), dotted(path)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty working directory with the pipeline file's folder inside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pipelines").mkdir()
    return tmp_path / "pipelines"


# --- the properties ---------------------------------------------------------------------


@shared_folder
@given(path=key_paths, value=python_values, data=st.data())
@example(path=("train", "optimizer", "learning_rate"), value=10**400, data=None)
@example(path=("data", "files", "train"), value="a" * 300, data=None)
@example(path=("data", "files", "validation"), value="x/" * 3000, data=None)
def test_any_value_at_any_key_path_loads_or_names_the_key(folder, path, value, data):
    if data is not None and path in PLAUSIBLE and data.draw(st.booleans(), "plausible"):
        value = data.draw(st.sampled_from(PLAUSIBLE[path]), "value")
    pipeline = folder / "pipeline.yaml"
    pipeline.write_text(yaml.safe_dump(nested(path, value), sort_keys=False), encoding="utf-8")
    result = load_within_bound(pipeline)
    if isinstance(result, ConfigError):
        assert names_key(str(result), blamed(path)), str(result)
        return
    assert path in FIELDS, f"unknown key {dotted(path)} was accepted"
    assert_holds(result, path, value, folder)
    assert_survives_its_config_yaml(result)


@shared_folder
@given(path=key_paths, fragment=fragments)
@example(path=("seed",), fragment="[" * 3000 + "]" * 3000)
@example(path=("data", "files", "train"), fragment="{a: " * 600 + "1" + "}" * 600)
@example(path=("seed",), fragment="1" * 5000)
@example(path=("model", "units"), fragment="0x" + "f" * 4000)
@example(path=("name",), fragment="2001-02-30")
@example(path=(None,), fragment="&a [*a]")
def test_any_yaml_text_at_any_key_path_loads_or_names_the_key_or_line(folder, path, fragment):
    document = yaml.safe_dump(nested(path, "__VALUE__"), sort_keys=False)
    pipeline = folder / "pipeline.yaml"
    pipeline.write_text(document.replace("__VALUE__", fragment, 1), encoding="utf-8")
    result = load_within_bound(pipeline)
    if isinstance(result, ConfigError):
        message = str(result)
        assert names_key(message, blamed(path)) or invalid_yaml_at_a_line(message), message
        return
    assert isinstance(result, PipelineConfig)
    assert_survives_its_config_yaml(result)


YAML_LINES = [
    "name: x",
    "task: tag",
    "model:",
    "  units: 8",
    "  attention: {kind: bahdanau}",
    "- 1",
    "  - a",
    "train: {epochs: 2}",
    "data: &d {batch_size: 4}",
    "evaluate: *d",
    "<<: {seed: 1}",
    "include: []",
    "---",
    "...",
    "%YAML 1.1",
    "? a",
    ": b",
    "# comment",
    "\t",
    "{",
]


@shared_folder
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(YAML_LINES), max_size=12).map(lambda ls: "\n".join(ls).encode()),
    )
)
@example(b"\xef\xbb\xbfname: x\n")
@example(b"\xff\xfe")
@example(b"name: x\x00\n")
def test_any_pipeline_file_loads_or_names_the_file(folder, content):
    pipeline = folder / "pipeline.yaml"
    pipeline.write_bytes(content)
    result = load_within_bound(pipeline)
    if isinstance(result, ConfigError):
        assert str(result).startswith(str(pipeline)), str(result)
    else:
        assert isinstance(result, PipelineConfig)
        assert_survives_its_config_yaml(result)


#: Fragments beside the pipeline file; those with a problem must stop the load.
FRAGMENT_FILES = {
    "good.yaml": "model: {units: 8}\n",
    "empty.yaml": "",
    "nested.yaml": "include: [good.yaml]\ntrain: {epochs: 2}\n",
    "bad.yaml": "evaluate: {beam_width: 0}\n",  # no other fragment sets it
    "list.yaml": "[1, 2]\n",
    "loop.yaml": "include: [pipeline.yaml]\n",
    "deep.yaml": "seed: " + "[" * 100 + "]" * 100 + "\n",
}
FAILING = {"bad.yaml", "list.yaml", "loop.yaml", "deep.yaml"}
include_names = st.one_of(
    st.sampled_from(sorted(FRAGMENT_FILES)),
    st.sampled_from(["pipeline.yaml", "../pipelines/good.yaml", "", ".", "/", "/dev/null"]),
    st.sampled_from(["a" * 300, "x\x00y", "ghost.yaml", "../elsewhere.yaml"]),
    st.text(max_size=12),
)
includes = st.one_of(
    include_names,
    st.lists(include_names, max_size=4),
    python_values,
)


@shared_folder
@given(includes)
@example(["a" * 300])
@example("good.yaml")
@example(["nested.yaml", "bad.yaml"])
@example(["bad.yaml", "../pipelines/good.yaml"])
def test_any_include_loads_or_names_include_or_the_fragment(folder, include):
    for name, text in FRAGMENT_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder.parent / "elsewhere.yaml").write_text("seed: 7\n", encoding="utf-8")
    pipeline = folder / "pipeline.yaml"
    pipeline.write_text(yaml.safe_dump({**BASE, "include": include}), encoding="utf-8")
    result = load_within_bound(pipeline)
    if isinstance(result, ConfigError):
        message = str(result)
        from_a_fragment = any(message.startswith(str(folder / n)) for n in FRAGMENT_FILES)
        assert (
            ": include" in message or from_a_fragment or ": evaluate.beam_width: got 0;" in message
        ), message
        return
    names = [] if include is None else [include] if isinstance(include, str) else include
    assert isinstance(names, list) and all(isinstance(n, str) for n in names), include
    assert not FAILING & set(names), names
    for name in names:  # found beside the file, in the working directory or one folder up
        assert any(os.path.isfile(base / name) for base in (folder, folder.parent)), name
    assert_survives_its_config_yaml(result)


override_texts = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda path, value: f"{dotted(path)}={value}",
        st.one_of(key_paths, st.just(("include",))),
        st.one_of(fragments, python_values.map(lambda v: yaml.safe_dump(v).strip())),
    ),
    st.builds(
        lambda path, value: f"{dotted(path)}={value}",
        st.sampled_from(sorted(PLAUSIBLE)),
        st.sampled_from([str(v) for values in PLAUSIBLE.values() for v in values]),
    ),
)


def expected_override(raw):
    """The value `--set` reads from `raw` (YAML, else the text itself); `...` if unknowable."""
    if not raw.strip():
        return None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    except Exception:  # noqa: BLE001 - YAML that crashes PyYAML: the loader refuses it
        return ...


@shared_folder
@given(override_texts)
@example("seed=" + "[" * 3000 + "]" * 3000)
@example("seed=" + "1" * 5000)
@example("train.optimizer.learning_rate=1" + "0" * 400)
@example("name.x=1")
@example("data.files.train=" + "a" * 300)
def test_any_set_override_loads_or_names_the_key(folder, text):
    pipeline = folder / "pipeline.yaml"
    pipeline.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    result = load_within_bound(pipeline, [text])
    key, _, raw = text.partition("=")
    path = tuple(key.strip().split("."))
    well_formed = "=" in text and all(path)
    if isinstance(result, ConfigError):
        message = str(result)
        if not well_formed:
            assert message.startswith("--set: expected key.path=value, got "), message
        else:
            assert names_key(message, blamed(path)), message
        return
    assert well_formed, text
    assert path in FIELDS, f"unknown key {dotted(path)} was accepted"
    value = expected_override(raw)
    if value is not ... and not is_section(path):
        got = result
        for part in path:
            got = getattr(got, part)
        assert got == expected_option(path, value, folder), text
    assert_survives_its_config_yaml(result)


def test_every_option_of_the_schema_is_reached():
    # The key paths come from the schema itself: a new option is tested without edits here.
    options = [path for path in FIELDS if not is_section(path)]
    assert ("train", "optimizer", "learning_rate") in options and ("seed",) in options
    assert len(options) > 50 and all(path in PLAUSIBLE for path in options)
