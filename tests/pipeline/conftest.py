"""Smoke runs shared by the pipeline tests: each shipped pipeline runs once per session."""

import dataclasses
import fcntl
import json
import pathlib

import pytest
import yaml

from tests.helpers import run_folders
from tests.helpers import run_seqkeras

ROOT = pathlib.Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class SmokeRun:
    """A finished `seqkeras run pipelines/<pipeline>.yaml --smoke` and what it printed."""

    run_dir: pathlib.Path
    output_dir: pathlib.Path  # its --output-dir
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def smoke_runs(datasets_dir, built):
    """`smoke_runs(pipeline)`: the shipped pipeline's `--smoke` run, made once per session.

    Every test and every xdist worker asking for one pipeline shares its run
    (the first makes it while the others wait), so tests only read it.
    """
    root = datasets_dir.parent / "seqkeras-smoke-runs"
    root.mkdir(exist_ok=True)

    def smoke_run(pipeline: str) -> SmokeRun:
        config = yaml.safe_load((ROOT / "pipelines" / f"{pipeline}.yaml").read_text())
        output_dir = root / pipeline / "runs"
        record = root / pipeline / "result.json"
        with open(root / f"{pipeline}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not record.is_file():
                built(config["data"]["dataset"])
                result = run_seqkeras(
                    "run",
                    f"pipelines/{pipeline}.yaml",
                    "--smoke",
                    "--output-dir",
                    str(output_dir),
                    cwd=ROOT,
                    env_extra={"SEQKERAS_DATA_DIR": str(built.data_dir)},
                )
                printed = {"returncode": result.returncode, "stdout": result.stdout}
                record.write_text(json.dumps({**printed, "stderr": result.stderr}))
        printed = json.loads(record.read_text())
        assert printed["returncode"] == 0, printed["stderr"][-3000:]
        [run_dir] = run_folders(output_dir / config["name"])
        return SmokeRun(run_dir, output_dir, printed["stdout"], printed["stderr"])

    return smoke_run
