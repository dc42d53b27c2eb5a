"""Every Python block of README.md and docs/*.md runs as copied, in a fresh process.

A block that needs a finished run first says so in its first lines, as a
user would read them: ``# after: seqkeras run pipelines/dates.yaml`` (or a
``python examples/prepare_....py`` script). The test runs those commands in
the block's working directory (`seqkeras run` with ``--smoke``), then the
block, as is. A run of a shipped pipeline is the session's one smoke run of
that command (`smoke_runs`, shared with the pipeline tests), copied into the
block's ``runs/`` as the command would have written it.
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
AFTER = re.compile(r"^# after: ((?:seqkeras|python) .*)$")
SHIPPED_PIPELINE = re.compile(r"^pipelines/(\w+)\.yaml$")


def python_blocks():
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield pytest.param(match.group(1), id=f"{document.name}:{line}")


def run(command, cwd, timeout=900):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
@pytest.mark.parametrize("code", list(python_blocks()))
def test_block_runs_as_copied(code, tmp_path, smoke_runs):
    # The block's working directory has the repository's pipelines, configs
    # and examples, as a clone does (examples copied: their scripts write
    # data beside themselves).
    for name in ("pipelines", "configs"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("data"))
    for line in code.splitlines():
        after = AFTER.match(line)
        if not after:
            break
        program, *words = shlex.split(after.group(1))
        shipped = words[:1] == ["run"] and len(words) > 1 and SHIPPED_PIPELINE.match(words[1])
        if program == "seqkeras" and shipped:
            shared = smoke_runs(shipped.group(1), *words[2:])
            runs = shared.run_dir.parent  # runs/<name>/, its run and `latest`
            shutil.copytree(runs, tmp_path / "runs" / runs.name, symlinks=True)
            continue
        smoke = ["--smoke"] if words[:1] == ["run"] else []
        arguments = ["-m", "seqkeras"] if program == "seqkeras" else []
        result = run([sys.executable, *arguments, *words, *smoke], tmp_path)
        assert result.returncode == 0, f"{line}\n---\n{result.stderr[-3000:]}"
    result = run([sys.executable, "-c", code], tmp_path)
    assert result.returncode == 0, f"{code}\n---\n{result.stderr[-3000:]}"


def test_the_blocks_are_found():
    ids = [param.id for param in python_blocks()]
    assert any(i.startswith("README.md") for i in ids) and len(ids) >= 8
