"""Hostile or careless configs: each stops at once with a message naming the key.

Issue #14: empty files, names that leave the output folder, YAML alias
bombs, out-of-range or non-finite numbers, and a loss that becomes NaN.
"""

import time

import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.config.loading import load_config
from seqkeras.pipeline.config.schema import MAX_BATCH_SIZE
from seqkeras.pipeline.config.schema import MAX_EPOCHS
from tests.helpers import run_seqkeras

#: About 600 bytes of YAML whose aliases expand to 9**9 (387 million) strings.
BOMB = (
    "[&l0 [x, x, x, x, x, x, x, x, x], "
    + ", ".join(f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9))
    + "]"
)


def write(tmp_path, text, name="pipeline.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_an_empty_pipeline_file_is_refused(tmp_path, text):
    with pytest.raises(ConfigError, match=r"the file is empty; a pipeline needs at least `task`"):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize("name", ["../../escaped", "inner2/..", ".hidden", "a/b", "数字_🎉_ñ", ""])
def test_a_run_name_is_one_safe_path_component(tmp_path, name):
    path = write(tmp_path, f"name: {name!r}\ntask: classify\n")
    with pytest.raises(ConfigError, match=r"name: got .*expected 1-100 of the letters"):
        load_config(path)


def test_good_run_names_pass(tmp_path):
    for name in ("digits", "g2p_cmudict", "run-2.v1"):
        assert load_config(write(tmp_path, f"name: {name}\n")).name == name


@pytest.mark.parametrize("key", ["name", "seed"])
def test_an_alias_bomb_is_refused_at_once_naming_the_key(tmp_path, key):
    path = write(tmp_path, f"{key}: {BOMB}\ntask: classify\n")
    assert len(path.read_text()) < 1500
    started = time.monotonic()
    with pytest.raises(ConfigError, match=rf"{key}: its YAML aliases expand to more than"):
        load_config(path)
    assert time.monotonic() - started < 5


def test_an_alias_bomb_in_a_set_override_is_refused(tmp_path):
    path = write(tmp_path, "task: classify\n")
    with pytest.raises(ConfigError, match=r"--set: seed: its YAML aliases expand"):
        load_config(path, [f"seed={BOMB}"])


def test_a_few_aliases_are_fine(tmp_path):
    text = "model: &m {units: 8}\nevaluate: {samples: 3}\n"
    assert load_config(write(tmp_path, text)).model.units == 8


@pytest.mark.parametrize(
    "override, message",
    [
        ("seed=-1", r"seed: got -1; expected a value between 0 and 4294967295"),
        ("seed=99999999999", r"seed: got 99999999999; expected a value between 0 and"),
        (
            "data.batch_size=100000000000000000000",
            rf"data.batch_size: got 100000000000000000000; expected a value between 1 and "
            rf"{MAX_BATCH_SIZE}",
        ),
        (
            "train.epochs=4499999999999999999999999999955",
            rf"train.epochs: got \d+; expected a value between 1 and {MAX_EPOCHS}",
        ),
        ("model.units=3000000000", r"model.units: got 3000000000; expected a value between 1 and"),
        ("train.optimizer.learning_rate=.nan", r"learning_rate: got nan; expected a finite"),
        ("train.optimizer.learning_rate=.inf", r"learning_rate: got inf; expected a finite"),
        ("train.optimizer.clipnorm=-.inf", r"clipnorm: got -inf; expected a finite"),
    ],
)
def test_out_of_range_and_non_finite_numbers_name_the_key(tmp_path, override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, "task: classify\n"), [override])


def test_exponent_notation_without_a_dot_is_a_number(tmp_path):
    # YAML 1.1 reads 1e-3 as the string '1e-3'.
    config = load_config(write(tmp_path, "train: {optimizer: {learning_rate: 1e-3}}\n"))
    assert config.train.optimizer.learning_rate == 0.001


def test_an_escaping_name_exits_2_before_any_folder_is_made(tmp_path):
    (tmp_path / "inner").mkdir()
    write(tmp_path / "inner", "name: ../../escaped\ntask: classify\n")
    result = run_seqkeras("run", "pipeline.yaml", "--output-dir", "runs", cwd=tmp_path / "inner")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "name: got '../../escaped'" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["inner", "pipeline.yaml"]


@pytest.mark.slow
def test_a_loss_that_becomes_infinite_stops_the_run_with_exit_1_and_keeps_nothing(tmp_path):
    series = "\n".join(f"{i},{(i % 12) * 3.5 + i * 0.1:.2f}" for i in range(240))
    (tmp_path / "series.csv").write_text("t,value\n" + series + "\n")
    write(
        tmp_path,
        "name: diverges\ntask: forecast\n"
        "data: {dataset: files, files: {train: series.csv}, source: {column: value}, window: 8}\n"
        "model: {units: 4}\n"
        "train: {optimizer: {name: sgd, learning_rate: 1e30, clipnorm: null}}\n",
    )
    result = run_seqkeras("run", "pipeline.yaml", "--smoke", "--output-dir", "runs", cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "training diverged: the loss became" in result.stderr
    assert "train.optimizer.learning_rate" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("*"))


def test_a_list_of_integers_is_bounded_as_one_integer_is(tmp_path):
    path = write(tmp_path, "task: caption\ndata:\n  source: {size: [100000000000000000000, 1]}\n")
    with pytest.raises(
        ConfigError,
        match=r"data\.source\.size: got .*; expected a list of 2 integers between 1 and 2147483647",
    ):
        load_config(path)
