"""Catalogue: names, errors, the tfds-by-name path (item 5), determinism (item 1)."""

import pathlib
import re

import pytest
import tensorflow_datasets as tfds

from seqkeras import data
from seqkeras.data import catalog
from seqkeras.errors import DataError
from tests.helpers import run_python

NAMES = [
    "digits_rows",
    "digit_captions",
    "dates",
    "cmudict",
    "text",
    "word_boundaries",
    "sunspots",
    "co2",
]


def test_list_and_format():
    assert [entry.name for entry in data.list_datasets()] == NAMES
    table = catalog.format_catalog()
    for entry in data.list_datasets():
        assert entry.name in table and f"{entry.sizes['train']:,}" in table
    assert table.splitlines()[0].split() == ["name", "topology", "train/validation/test", "source"]


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQKERAS_DATA_DIR", str(tmp_path))
    assert catalog.default_data_dir() == str(tmp_path)
    monkeypatch.delenv("SEQKERAS_DATA_DIR")
    assert catalog.default_data_dir().endswith("/.cache/seqkeras/datasets")


def test_env_var_is_the_cache(monkeypatch, built, datasets_dir):
    built("sunspots")
    monkeypatch.setenv("SEQKERAS_DATA_DIR", str(datasets_dir))
    assert len(list(data.load("sunspots", "test"))) == 31


def test_errors(datasets_dir, tmp_path):
    with pytest.raises(
        ValueError, match="`name`: expected one of 'digits_rows', .* or 'tfds:<name>', got 'digits'"
    ):
        data.load("digits")
    with pytest.raises(ValueError, match="`seed`: expected a non-negative integer, got -1"):
        data.load("dates", seed=-1)
    with pytest.raises(
        ValueError,
        match=re.escape("`options`: expected only `path` (for text datasets), got ['lenght']"),
    ):
        data.load("dates", lenght=3)
    with pytest.raises(
        ValueError, match="`path`: expected None \\(dataset 'dates' takes no path\\)"
    ):
        data.load("dates", path=tmp_path / "x.txt", data_dir=datasets_dir)
    with pytest.raises(DataError, match="tfds:imdb_reviews: not prepared under data_dir"):
        data.load("tfds:imdb_reviews", data_dir=tmp_path)


@pytest.mark.parametrize("name", ["", "../../etc", "/etc/passwd", "imdb reviews", "a/b/c", "x:"])
def test_a_tfds_name_that_is_no_catalogue_name_is_a_data_error_before_tfds_runs(name, tmp_path):
    with pytest.raises(DataError, match=rf"tfds:{re.escape(name)}: not a tensorflow-datasets name"):
        data.load(f"tfds:{name}", data_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_split(built, datasets_dir):
    built("sunspots")
    with pytest.raises(
        ValueError,
        match="`split`: expected 'train', 'validation', 'test', 'all' or a tfds split expression, got 'training'",
    ):
        data.load("sunspots", "training", data_dir=datasets_dir)
    assert len(list(data.load("sunspots", "all", data_dir=datasets_dir))) == 309
    assert len(list(data.load("sunspots", "train[:10]", data_dir=datasets_dir))) == 10


@pytest.mark.parametrize(
    "name, fields",
    [("imdb_reviews", ("text", "label")), ("ted_hrlr_translate/pt_to_en", ("pt", "en"))],
)
def test_tfds_by_name_under_mock_data(name, fields, tmp_path):
    """Acceptance 5: a text and a translation catalogue dataset, by name."""
    with tfds.testing.mock_data(num_examples=6):
        examples = list(data.load(f"tfds:{name}", "train", data_dir=tmp_path))
        pairs = list(data.load(f"tfds:{name}", "train", data_dir=tmp_path, as_supervised=True))
    assert len(examples) == 6 and set(examples[0]) == set(fields)
    assert len(pairs) == 6 and pairs[0][0].dtype.name == "string"
    vocab = data.Vocabulary.build([e[fields[0]].numpy() for e in examples], split="char")
    assert vocab.unk_id not in vocab.encode(examples[0][fields[0]].numpy())


def _examples(directory):
    """Every stored example, parsed (map order in serialized protos varies)."""
    import tensorflow as tf

    def records(path):
        # In batches: one record at a time, the iterator's own overhead made
        # reading both copies of every dataset most of this test's time.
        for batch in tf.data.TFRecordDataset(str(path)).batch(4096).as_numpy_iterator():
            yield from batch

    return {
        str(path.relative_to(directory)): [
            tf.train.Example.FromString(record) for record in records(path)
        ]
        for path in sorted(pathlib.Path(directory).rglob("*.tfrecord*"))
    }


@pytest.mark.slow
def test_same_seed_same_data_in_a_fresh_process(built, datasets_dir, tmp_path):
    """Acceptance 1: offline, two builds with the same seed hold identical examples."""
    for name in NAMES:
        built(name)
    result = run_python(
        f"""
        import socket

        def no_network(*args, **kwargs):
            raise OSError("network access attempted while building a dataset")

        socket.socket.connect = no_network  # building must work offline
        socket.create_connection = no_network
        import tensorflow_datasets as tfds
        from seqkeras.data import catalog
        tfds.disable_progress_bar()
        for name in {NAMES!r}:
            catalog.get_builder(name, seed=0, data_dir={str(tmp_path)!r})
        try:
            socket.socket().connect(("127.0.0.1", 9))
        except OSError as error:
            assert "network access attempted" in str(error)
        """,
        cwd=str(pathlib.Path(__file__).parents[2]),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    fresh = _examples(tmp_path)
    assert len(fresh) >= 3 * len(NAMES)
    shared = _examples(datasets_dir)
    for shard, examples in fresh.items():
        assert examples == shared[shard], shard


def test_building_a_dataset_leaves_the_global_random_state_alone(tmp_path):
    # Keras seeds its weight initialisers from Python's `random`: a build that
    # drew from it made the same seed give different models (issue #15, item 6).
    import random

    import numpy as np

    random.seed(7)
    np.random.seed(7)
    expected = (random.random(), np.random.rand())
    random.seed(7)
    np.random.seed(7)
    catalog.get_builder("digits_rows", seed=0, data_dir=tmp_path)  # built here, fresh
    assert (random.random(), np.random.rand()) == expected


def test_a_data_folder_that_is_a_file_is_named_by_its_variable(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("SEQKERAS_DATA_DIR", str(blocker))
    with pytest.raises(DataError, match=rf"^\$SEQKERAS_DATA_DIR \({blocker}\): not a folder;"):
        data.load("sunspots")


def test_an_unwritable_data_folder_without_the_dataset_leaves_nothing_in_tmp(tmp_path, monkeypatch):
    # Root writes through read-only permissions, so the refusal is made the
    # way a read-only mount makes it: creating the folder's scratch fails.
    import tempfile

    read_only = tmp_path / "read-only"
    read_only.mkdir()
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    make_temporary = tempfile.mkdtemp

    def refuse_inside_read_only(*args, dir=None, **kwargs):
        if dir is not None and pathlib.Path(dir) == read_only:
            raise PermissionError(13, "Permission denied")
        return make_temporary(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", refuse_inside_read_only)
    with pytest.raises(
        DataError,
        match=rf"^data_dir \({read_only}\): cannot be written \(Permission denied\), and dataset "
        r"'sunspots' is not built there yet",
    ):
        data.load("sunspots", data_dir=read_only)
    assert list(system_tmp.iterdir()) == []  # tensorflow-datasets' scratch removed too


def test_reading_a_tfds_name_leaves_nothing_in_tmp(tmp_path, monkeypatch):
    # tensorflow-datasets makes an empty `tmp...tfds` folder while it reads a
    # dataset's info, and never removes it: one per call, for good.
    import tempfile

    from seqkeras.pipeline.tasks.examples import _tfds_info

    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    with pytest.raises(DataError, match=r"^tfds:mnist: not prepared under data_dir="):
        data.load("tfds:mnist", data_dir=tmp_path / "empty")
    assert _tfds_info("mnist")[0] >= {"train", "test"}
    assert list(system_tmp.iterdir()) == []
