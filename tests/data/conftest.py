"""Built-in datasets are built once per test session, shared by xdist workers."""

import fcntl
import os

import pytest
import tensorflow_datasets as tfds

from seqkeras.data import catalog


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

    return build
