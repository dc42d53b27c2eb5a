import os

import pytest

from seqkeras import export
from seqkeras.decoding import Greedy
from seqkeras.models import build_many_to_many
from seqkeras.models import build_many_to_one


def test_classifier_needs_one_label_per_output(tmp_path):
    model = build_many_to_one(3, input_dim=2, units=4)
    with pytest.raises(ValueError, match=r"`labels`: expected 3 label names.*\['a', 'b'\]"):
        export.export_classifier(model, tmp_path / "x", labels=["a", "b"])
    assert os.listdir(tmp_path) == []


def test_tagger_needs_one_tag_per_output(tmp_path, vocabs):
    model = build_many_to_many(2, vocab_size=vocabs["source"].size, units=4)
    with pytest.raises(ValueError, match=r"`tags`: expected 2 tag names.*\['I'\]"):
        export.export_tagger(model, vocabs["source"], tmp_path / "x", tags=["I"])


def test_forecaster_needs_a_positive_std(tmp_path):
    model = build_many_to_one(1, input_dim=1, units=4, output_activation=None)
    with pytest.raises(ValueError, match=r"`std`.*0"):
        export.export_forecaster(model, tmp_path / "x", std=0)


def test_language_model_needs_a_token_model(tmp_path, vocabs):
    model = build_many_to_many(3, input_dim=2, units=4, name="vectors")
    with pytest.raises(ValueError, match=r"`model`.*'vectors'"):
        export.export_language_model(model, vocabs["source"], tmp_path / "x", strategy=Greedy(4))
