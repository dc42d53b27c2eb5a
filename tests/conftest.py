"""Shared test setup: quiet TensorFlow and deterministic seeds."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import fcntl  # noqa: E402

import keras  # noqa: E402
import pytest  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

from seqkeras.data import catalog  # noqa: E402
from tests import hypothesis_profiles  # noqa: E402, F401 (loads the CI or long profile)


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
