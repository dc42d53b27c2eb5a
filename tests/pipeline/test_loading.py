import pathlib

import pytest
import yaml

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config import loading
from seqkeras.pipeline.config.loading import load_config


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_includes_merge_in_order_file_wins_and_set_wins_over_all(tmp_path):
    write(tmp_path / "configs/a.yaml", "model: {units: 8, layers: 2}\ntrain: {epochs: 3}\n")
    write(tmp_path / "configs/b.yaml", "model: {units: 16}\n")
    pipeline = write(
        tmp_path / "p.yaml",
        "include: [configs/a.yaml, configs/b.yaml]\nmodel: {cell: vanilla}\ntrain: {epochs: 4}\n",
    )
    config = load_config(pipeline)
    assert (config.model.units, config.model.layers, config.model.cell) == (16, 2, "vanilla")
    assert config.train.epochs == 4
    config = load_config(
        pipeline, ["train.epochs=9", "model.attention.normalize=true", "name=exp-1"]
    )
    assert config.train.epochs == 9 and config.model.attention.normalize is True
    assert config.name == "exp-1"


ROOT = pathlib.Path(__file__).resolve().parents[2]
FRAGMENTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "configs").rglob("*.yaml"))


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_shipped_fragments_are_valid_and_take_effect(fragment, tmp_path):
    pipeline = write(tmp_path / "p.yaml", f"include: [{ROOT / fragment}]\n")
    config = load_config(pipeline)
    for section, values in yaml.safe_load((ROOT / fragment).read_text()).items():
        for key, value in values.items():
            got = getattr(getattr(config, section), key)
            if isinstance(value, dict):  # a nested section: compare its keys
                assert {k: getattr(got, k) for k in value} == value, f"{section}.{key}"
            else:
                assert got == value, f"{section}.{key}"


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nothere\.yaml: no such file"):
        load_config(tmp_path / "nothere.yaml")


def test_yaml_syntax_error_names_line(tmp_path):
    pipeline = write(tmp_path / "bad.yaml", "name: x\nmodel:\n  units: [1, 2\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml, line \d+, column \d+: invalid YAML"):
        load_config(pipeline)


def test_missing_include_names_its_index(tmp_path):
    pipeline = write(tmp_path / "p.yaml", "include: [configs/ghost.yaml]\n")
    with pytest.raises(
        ConfigError, match=r"p\.yaml: include\.0: no such file 'configs/ghost\.yaml'"
    ):
        load_config(pipeline)


def test_circular_include(tmp_path):
    write(tmp_path / "a.yaml", "include: [b.yaml]\n")
    write(tmp_path / "b.yaml", "include: [a.yaml]\n")
    with pytest.raises(ConfigError, match="circular include"):
        load_config(tmp_path / "a.yaml")


@pytest.mark.parametrize("override", ["epochs", "=3", "train..epochs=3"])
def test_bad_override_format(tmp_path, override):
    pipeline = write(tmp_path / "p.yaml", "name: x\n")
    with pytest.raises(ConfigError, match=r"--set: expected key\.path=value"):
        load_config(pipeline, [override])


def test_override_of_unknown_key_is_rejected(tmp_path):
    pipeline = write(tmp_path / "p.yaml", "name: x\n")
    with pytest.raises(
        ConfigError, match=r"train\.epoch: unknown key 'epoch'; did you mean 'epochs'"
    ):
        load_config(pipeline, ["train.epoch=3"])


def test_yaml_is_never_executed(tmp_path):
    pipeline = write(tmp_path / "p.yaml", "name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(pipeline)


def test_cell_gru_loads_with_every_implementation(tmp_path):
    pipeline = write(tmp_path / "p.yaml", "model: {cell: gru}\n")
    assert load_config(pipeline).model.cell == "gru"
    assert load_config(pipeline).model.implementation == "auto"
    for implementation in ("reference", "fast", "xla", "cudnn"):
        config = load_config(pipeline, [f"model.implementation={implementation}"])
        assert config.model.implementation == implementation


def test_an_include_fan_out_without_a_cycle_stops_at_the_bound_naming_the_file(
    tmp_path, monkeypatch
):
    # Each of six levels includes the next twelve times: 12**6 reads unbounded.
    for level in range(1, 7):
        include = f"[{', '.join([f'f{level + 1}.yaml'] * 12)}]" if level < 6 else "[]"
        write(tmp_path / f"f{level}.yaml", f"include: {include}\ntrain: {{epochs: {level}}}\n")
    pipeline = write(tmp_path / "p.yaml", "include: [f1.yaml]\n")
    reads = []
    original = loading.read_yaml_mapping
    monkeypatch.setattr(loading, "read_yaml_mapping", lambda p: reads.append(p) or original(p))
    with pytest.raises(
        ConfigError,
        match=rf"f\d\.yaml: include\.\d+: .*f\d\.yaml makes more than "
        rf"{loading.MAX_INCLUDED_FRAGMENTS} included fragments or 16 MiB read in all",
    ):
        load_config(pipeline)
    assert len(reads) <= loading.MAX_INCLUDED_FRAGMENTS + 2  # the pipeline, read twice


def test_included_fragments_are_bounded_by_their_size_in_all(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_INCLUDED_BYTES", 100)
    write(tmp_path / "big.yaml", "train: {epochs: 3}\n" + "# padding\n" * 20)
    pipeline = write(tmp_path / "p.yaml", "include: [big.yaml]\n")
    with pytest.raises(ConfigError, match=r"p\.yaml: include\.0: .*big\.yaml makes more than"):
        load_config(pipeline)
