"""Shared test setup: quiet TensorFlow, deterministic seeds, shared datasets and smoke runs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import dataclasses  # noqa: E402
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402

import keras  # noqa: E402
import pytest  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402
import yaml  # noqa: E402

from seqkeras.data import catalog  # noqa: E402
from tests import hypothesis_profiles  # noqa: E402, F401 (loads the CI or long profile)
from tests.helpers import run_folders  # noqa: E402
from tests.helpers import run_seqkeras  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _seed_everything():
    keras.utils.set_random_seed(1234)
    yield
    keras.backend.clear_session()


@pytest.fixture(scope="session")
def datasets_dir(tmp_path_factory):
    """A data directory shared by every test (and every xdist worker)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    directory = root / "seqkeras-datasets"
    directory.mkdir(exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def built(datasets_dir):
    """`built(name, seed=0)` returns the prepared tfds builder of a dataset."""
    tfds.disable_progress_bar()

    def build(name, seed=0, **options):
        # One worker builds while the other waits, then reuses the cache.
        with open(datasets_dir / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return catalog.get_builder(name, seed=seed, data_dir=datasets_dir, **options)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    build.data_dir = datasets_dir
    return build


@dataclasses.dataclass
class SmokeRun:
    """A finished `seqkeras run <pipeline> --smoke [options]` and what it printed."""

    run_dir: pathlib.Path
    output_dir: pathlib.Path  # its --output-dir
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def smoke_runs(datasets_dir, built):
    """`smoke_runs(pipeline, *options)`: that `--smoke` run, made once per session.

    `pipeline` is a shipped pipeline's name (`pipelines/<name>.yaml`) and
    `options` the command's other arguments (`--set key=value`). Every test
    and every xdist worker asking for the same run shares it (the first
    makes it while the others wait), so tests only read it, or copy it.
    """
    root = datasets_dir.parent / "seqkeras-smoke-runs"
    root.mkdir(exist_ok=True)

    def smoke_run(pipeline: str, *options: str) -> SmokeRun:
        config = yaml.safe_load((ROOT / "pipelines" / f"{pipeline}.yaml").read_text())
        key = pipeline
        if options:
            key += "-" + hashlib.sha1(json.dumps(options).encode()).hexdigest()[:12]
        output_dir = root / key / "runs"
        record = root / key / "result.json"
        with open(root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not record.is_file():
                built(config["data"]["dataset"])
                result = run_seqkeras(
                    "run",
                    f"pipelines/{pipeline}.yaml",
                    "--smoke",
                    *options,
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
