"""`ExportManifest`: `seqkeras_export.json` written and read as one typed object."""

import json

import pytest

from seqkeras.errors import DataError
from seqkeras.export import ExportManifest
from seqkeras.export.manifest import MANIFEST_FILE
from seqkeras.export.manifest import MANIFEST_VERSION


def write(folder, values):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).write_text(json.dumps(values))
    return folder


def test_a_manifest_goes_to_json_and_back_unchanged(tmp_path):
    manifest = ExportManifest(
        kind="seq2seq",
        inputs="strings",
        input={"dtype": "string", "shape": [None], "max_length": 12},
        signatures=("beam_search", "serving_default"),
        decoding={"name": "greedy", "config": {"max_length": 8}},
        requires=("tensorflow-text",),
        max_source_length=12,
    )
    values = manifest.to_json()
    assert values["version"] == MANIFEST_VERSION
    assert values["signatures"] == ["beam_search", "serving_default"]
    assert "labels" not in values and "portable" not in values  # unset entries left out
    assert ExportManifest.load(write(tmp_path / "e", values)) == manifest
    assert manifest.takes_text and not manifest.takes_images


def test_a_manifest_without_a_version_is_read_as_version_one(tmp_path):
    # As every export written before versions were recorded.
    folder = write(tmp_path / "e", {"kind": "classify", "inputs": "float32", "labels": ["a", "b"]})
    manifest = ExportManifest.load(folder)
    assert manifest.version == 1
    assert manifest.labels == ("a", "b")
    assert manifest.requires == () and manifest.decoding is None


@pytest.mark.parametrize("version", [MANIFEST_VERSION + 1, 0, "1", 1.0, None])
def test_a_version_this_seqkeras_does_not_read_is_refused_naming_the_file(tmp_path, version):
    folder = write(tmp_path / "e", {"kind": "classify", "version": version})
    with pytest.raises(DataError, match=r"seqkeras_export\.json: manifest version .* upgrade"):
        ExportManifest.load(folder)


def test_entries_a_newer_writer_adds_are_left_aside(tmp_path):
    folder = write(tmp_path / "e", {"kind": "tag", "tags": ["O", "B-X"], "colour": "blue"})
    assert ExportManifest.load(folder) == ExportManifest(kind="tag", tags=("O", "B-X"))


def test_a_missing_or_damaged_manifest_is_refused_naming_it(tmp_path):
    with pytest.raises(DataError, match=r"seqkeras_export\.json: no such file"):
        ExportManifest.load(tmp_path)
    (tmp_path / MANIFEST_FILE).write_text('{"kind": ')
    with pytest.raises(DataError, match=r"seqkeras_export\.json: not readable as JSON"):
        ExportManifest.load(tmp_path)
    (tmp_path / MANIFEST_FILE).write_text("[1, 2]")
    with pytest.raises(DataError, match=r"seqkeras_export\.json: expected a JSON object"):
        ExportManifest.load(tmp_path)
