"""`runs/<name>/latest` and the run names `evaluate`, `export` and `predict` take.

Run folders here are made and finished by the runner's own functions
(`open_run_dir`, `finish`), with a config.yaml and a real lock, but no model:
what `latest` names does not depend on what a run trained.
"""

import os
import pathlib

import pytest

from seqkeras.errors import ConfigError
from seqkeras.pipeline.run_folders.folder_life import finish
from seqkeras.pipeline.run_folders.folder_life import open_run_dir
from seqkeras.pipeline.run_folders.latest import find_run
from seqkeras.pipeline.run_folders.latest import latest_run
from seqkeras.pipeline.run_folders.latest import run_reference
from tests.helpers import run_folders
from tests.helpers import run_seqkeras

CONFIG = "name: digits_rows\n"


def completed(base: pathlib.Path, smoke: bool = False, config: str = CONFIG) -> pathlib.Path:
    """A run of `base`'s name, finished as the runner finishes one."""
    run_dir, lock = open_run_dir(base, config, smoke)
    final = finish(run_dir, lock)
    lock.release()
    return final


def test_latest_is_a_relative_link_to_the_run_that_completed_last(tmp_path):
    base = tmp_path / "runs" / "digits_rows"
    first = completed(base)
    assert os.readlink(base / "latest") == first.name  # relative: the folder can move
    second = completed(base)
    assert os.readlink(base / "latest") == second.name
    assert latest_run(base) == second and run_folders(base) == [first, second]
    assert not [p.name for p in base.iterdir() if p.name.endswith(".tmp")]

    moved = tmp_path / "elsewhere"
    (tmp_path / "runs").rename(moved)
    assert latest_run(moved / "digits_rows") == moved / "digits_rows" / second.name


def test_a_smoke_run_is_labelled_and_takes_latest_only_from_other_smoke_runs(tmp_path):
    base = tmp_path / "runs" / "digits_rows"
    smoke = completed(base, smoke=True)
    assert smoke.name.endswith("-smoke") and latest_run(base) == smoke  # no real run yet
    real = completed(base)
    assert latest_run(base) == real
    later_smoke = completed(base, smoke=True)
    assert latest_run(base) == real  # a smoke run's figures mean nothing
    assert run_folders(base) == [smoke, real, later_smoke]


def test_smoke_and_real_runs_never_resume_each_others_folders(tmp_path):
    base = tmp_path / "runs" / "digits_rows"
    smoke_dir, lock = open_run_dir(base, CONFIG, smoke=True)
    lock.release()  # as if its run had died: resumable
    real_dir, lock = open_run_dir(base, CONFIG, smoke=False)
    lock.release()
    assert real_dir != smoke_dir and not real_dir.name.endswith("-smoke.partial")
    resumed, lock = open_run_dir(base, CONFIG, smoke=True)
    lock.release()
    assert resumed == smoke_dir


def test_latest_is_a_text_file_where_symbolic_links_cannot_be_made(tmp_path, monkeypatch):
    base = tmp_path / "runs" / "digits_rows"

    def refuse(*args, **kwargs):  # as a FAT drive or a share without links answers
        raise PermissionError(1, "Operation not permitted")

    with monkeypatch.context() as patch:
        patch.setattr(os, "symlink", refuse)
        first = completed(base)
        assert not (base / "latest").is_symlink()
        assert (base / "latest").read_text() == f"{first.name}\n"
        assert find_run("digits_rows", tmp_path / "runs") == first
        assert find_run(str(base / "latest"), "runs") == first
        second = completed(base)
        assert (base / "latest").read_text() == f"{second.name}\n"
    third = completed(base)  # links possible again: the file is replaced by a link
    assert os.readlink(base / "latest") == third.name


def test_find_run_takes_a_run_name_runs_name_or_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    older = completed(pathlib.Path("runs/dates"))
    newer = completed(pathlib.Path("runs/dates"))
    assert find_run("dates") == newer  # runs/dates/latest
    assert find_run("runs/dates") == newer
    assert find_run(str(older)) == older
    assert find_run("dates", "runs") == find_run("runs/dates/latest") == newer
    other = completed(tmp_path / "other" / "dates")
    assert find_run("dates", tmp_path / "other") == other
    # A folder that is neither is left for open_run to call not a run folder.
    assert find_run(str(tmp_path)) == tmp_path


def test_a_bare_name_is_looked_up_in_output_dir_only_never_in_the_working_folder(
    tmp_path, monkeypatch
):
    # In a folder holding a `cls/` run, `export cls --output-dir /elsewhere` once
    # rewrote ./cls: a name means output_dir's run, ./cls the folder here.
    monkeypatch.chdir(tmp_path)
    here = completed(pathlib.Path("cls"))
    elsewhere = completed(tmp_path / "elsewhere" / "cls")
    assert find_run("cls", tmp_path / "elsewhere") == elsewhere
    assert find_run("./cls", tmp_path / "elsewhere") == here
    assert find_run(str(tmp_path / "cls"), tmp_path / "elsewhere") == tmp_path / here
    with pytest.raises(ConfigError) as raised:
        find_run("cls", tmp_path / "empty")
    assert str(raised.value).startswith(
        f"cls: no completed run of that name in --output-dir '{tmp_path / 'empty'}' (to mean "
        f"the folder 'cls' here, give ./cls); expected a run name"
    )
    assert find_run("..", tmp_path / "elsewhere") == pathlib.Path("..")  # a path: for open_run


def test_a_run_without_a_completed_run_lists_the_names_that_have_one(tmp_path):
    output = tmp_path / "runs"
    completed(output / "dates")
    completed(output / "digits_rows")
    open_run_dir(output / "sunspots", CONFIG)[1].release()  # unfinished only
    expected = "the names with a completed run in '{}' are: dates, digits_rows.".format(output)
    for given in ("digits_rowz", "sunspots"):
        with pytest.raises(ConfigError) as raised:
            find_run(given, output)
        assert str(raised.value) == (
            f"{given}: no completed run of that name in --output-dir '{output}'; expected a "
            f"run name, runs/<name> or a run folder (runs/<name>/<timestamp>); {expected}"
        )
    with pytest.raises(ConfigError, match=r"runs/nothing: no such run folder; .* dates, digits"):
        find_run(str(output / "nothing"), "runs")
    with pytest.raises(ConfigError, match=f"'{tmp_path / 'empty'}' holds no completed run"):
        find_run("dates", tmp_path / "empty")
    gone = latest_run(output / "dates")
    gone.rename(gone.with_name("renamed"))
    with pytest.raises(ConfigError, match=r"dates/latest names no run folder \(was it deleted"):
        find_run(str(output / "dates"))


def test_the_command_exits_2_listing_the_run_names_before_starting_tensorflow(tmp_path):
    completed(tmp_path / "runs" / "dates")
    for command in ("evaluate", "export", "predict"):
        words = [command, "datez", *(["21 novembre 2026"] if command == "predict" else [])]
        result = run_seqkeras(*words, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr == (
            f"seqkeras {command}: error: datez: no completed run of that name in "
            f"--output-dir 'runs'; expected a run name, runs/<name> or a run folder "
            f"(runs/<name>/<timestamp>); the names with a completed run in 'runs' are: "
            f"dates.\n"
        )


def test_the_shortest_reference_names_the_run_by_its_name_where_that_finds_it(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    real = completed(pathlib.Path("runs/dates"))
    assert run_reference(real, "runs") == "dates"
    assert run_reference(real, "./runs") == "dates"
    smoke = completed(pathlib.Path("runs/dates"), smoke=True)
    assert run_reference(smoke, "runs") == str(smoke)  # latest is the real run
    elsewhere = completed(tmp_path / "out" / "dates")
    assert run_reference(elsewhere, tmp_path / "out") == str(tmp_path / "out" / "dates")
    pathlib.Path("dates").mkdir()  # `predict dates` would now mean this folder
    assert run_reference(real, "runs") == "runs/dates"
