"""No run writes outside `--output-dir`, however its config is formed (issue #14, acceptance 4).

Two `--smoke` runs in real processes, from an empty working directory, with
HOME, SEQKERAS_DATA_DIR and TMPDIR pointed at folders of the test: names
with dots, `include:` and `data.files` paths through `..`, and relative
output folders (one climbing out of the working directory and back in).
Every file and folder outside the output folders is compared before and
after; only the data cache may change, apart from the files Keras and
Matplotlib themselves write on first use (listed in `THIRD_PARTY`).
"""

import fnmatch
import hashlib
import os
import pathlib
import subprocess
import sys

import pytest

#: What Keras and Matplotlib write on import, in any program that uses them
#: (Keras's config file, Matplotlib's font cache). The empty folder
#: tensorflow-datasets makes in the temporary directory when it first builds a
#: dataset's info is made inside the data cache and removed.
THIRD_PARTY = {
    "home": [
        ".keras",
        ".keras/keras.json",
        ".cache",
        ".cache/matplotlib",
        ".cache/matplotlib/fontlist-*.json",
        ".config",
        ".config/matplotlib",
    ],
}
#: Variables that would send those writes somewhere this test does not watch.
REDIRECTS = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "KERAS_HOME", "TFDS_DATA_DIR")

FILES_PIPELINE = """\
name: x..
task: classify
include: [../configs/small.yaml]
data:
  dataset: files
  files: {train: ../data/rows.tsv}
  source: {column: text, tokens: char}
  target: {column: label}
"""
BUILT_IN_PIPELINE = """\
name: sun-spots.v1
task: forecast
include: [{fragment}]
data: {{dataset: sunspots, window: 8, batch_size: 16}}
"""


def snapshot(root: pathlib.Path, skip=()) -> dict:
    """Every path under `root` (but `skip` and what is under it): folders, and files' bytes."""
    tree = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if pathlib.Path(folder, f) not in skip]
        for name in folders + files:
            path = pathlib.Path(folder, name)
            if path in skip:
                continue
            relative = str(path.relative_to(root))
            tree[relative] = (
                "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
            )
    return tree


def written(before: dict, after: dict, allowed=()) -> list:
    """Paths created, changed or removed, but those `allowed` (glob patterns)."""
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return sorted(p for p in changed if not any(fnmatch.fnmatch(p, a) for a in allowed))


def run(*args, cwd, env):
    result = subprocess.run(
        [sys.executable, "-m", "seqkeras", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.slow
def test_no_run_writes_outside_its_output_dir(tmp_path):
    roots = {name: tmp_path / name for name in ("home", "cache", "cwd", "tmp", "project")}
    for root in roots.values():
        root.mkdir()
    project = roots["project"]
    for folder in ("pipelines", "configs", "data"):
        (project / folder).mkdir()
    (project / "configs/small.yaml").write_text("model: {units: 4, embedding_dim: 4}\n")
    (project / "data/rows.tsv").write_text(
        "text\tlabel\n"
        + "".join(f"{'ab' * (1 + i % 4)} {'cd' * (1 + i % 3)}\t{'pn'[i % 2]}\n" for i in range(60))
    )
    (project / "pipelines/files.yaml").write_text(FILES_PIPELINE)
    (project / "pipelines/built_in.yaml").write_text(
        BUILT_IN_PIPELINE.format(fragment=project / "configs/small.yaml")
    )
    env = {k: v for k, v in os.environ.items() if k not in REDIRECTS}
    env.update(
        HOME=str(roots["home"]),
        SEQKERAS_DATA_DIR=str(roots["cache"]),
        TMPDIR=str(roots["tmp"]),
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    cwd = roots["cwd"]
    outputs = [cwd / "out", cwd / "out2"]  # out/runs, and ../cwd/out2 from the working directory
    before = {name: snapshot(root, skip=outputs) for name, root in roots.items()}

    run(
        "run",
        "../project/pipelines/files.yaml",
        "--smoke",
        "--output-dir",
        "out/runs",
        cwd=cwd,
        env=env,
    )
    run(
        "run",
        "../project/pipelines/built_in.yaml",
        "--smoke",
        "--output-dir",
        "../cwd/out2",
        cwd=cwd,
        env=env,
    )

    assert [p.name for p in (cwd / "out").iterdir()] == ["runs"]
    assert list((cwd / "out/runs/x..").glob("*/export/saved_model.pb"))
    assert list((cwd / "out2/sun-spots.v1").glob("*/model.keras"))
    for name, root in roots.items():
        after = snapshot(root, skip=outputs)
        if name == "cache":
            assert written(before[name], after), "the built-in series was not cached here"
            continue
        assert written(before[name], after, THIRD_PARTY.get(name, ())) == [], name
    assert not any((roots["cache"]).rglob(".scratch-*")), "a scratch folder was left"
