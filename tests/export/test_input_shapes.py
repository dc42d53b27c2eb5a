"""A one-pass export answers only inputs of the shape its signature declares."""

import numpy as np
import pytest
import tensorflow as tf

from seqkeras import export
from seqkeras.models import build_many_to_one


@pytest.fixture(scope="module")
def forecaster_export(tmp_path_factory):
    model = build_many_to_one(2, input_dim=1, units=4, sequence_length=8, output_activation=None)
    path = tmp_path_factory.mktemp("forecast") / "export"
    export.export_forecaster(model, path, mean=5.0, std=2.0)
    return tf.saved_model.load(str(path)).signatures["serving_default"]


def test_a_forecaster_answers_windows_of_its_length(forecaster_export):
    windows = np.random.default_rng(0).normal(size=(3, 8, 1)).astype("float32")
    assert forecaster_export(inputs=tf.constant(windows))["outputs"].shape == (3, 2)


@pytest.mark.parametrize("shape", [(1, 1000, 1), (1, 7, 1), (2, 8, 3)])
def test_a_window_of_another_shape_is_refused_naming_both_shapes(forecaster_export, shape):
    # The loaded signature converts what it is given without checking its shape,
    # and a recurrent model would forecast from any number of steps.
    wrong = tf.zeros(shape, tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        forecaster_export(inputs=wrong)
    message = str(raised.value)
    assert f"[{','.join(map(str, shape))}]" in message
    assert "[?,8,1]" in message


def test_a_text_classifier_reads_its_first_max_length_tokens(tmp_path, vocabs):
    from seqkeras.export.manifest import ExportManifest

    model = build_many_to_one(3, vocab_size=vocabs["source"].size, embedding_dim=4, units=6)
    path = export.export_classifier(
        model, tmp_path / "export", labels=["a", "b", "c"], vocab=vocabs["source"], max_length=4
    )
    assert ExportManifest.load(path).max_source_length == 4
    served = tf.saved_model.load(str(path)).signatures["serving_default"]
    long = "2024-01-31" * 200_000  # 2 million characters, each a token
    outputs = served(inputs=tf.constant(["2024", long, "2024-01-31"]))["probabilities"].numpy()
    # Cut to 4 tokens, each of the three reads "2024": its last state (what the
    # classifier reads) would differ after any token past the fourth.
    np.testing.assert_allclose(outputs[1], outputs[0], atol=1e-6)
    np.testing.assert_allclose(outputs[2], outputs[0], atol=1e-6)
    ids = np.asarray([vocabs["source"].encode("2024")], "int32")
    np.testing.assert_allclose(outputs[0], model(ids).numpy()[0], atol=1e-6)


def test_a_classifier_s_max_length_must_be_a_positive_integer(tmp_path, vocabs):
    model = build_many_to_one(2, vocab_size=vocabs["source"].size, units=4)
    with pytest.raises(ValueError, match=r"`max_length`.*0"):
        export.export_classifier(
            model, tmp_path / "x", labels=["a", "b"], vocab=vocabs["source"], max_length=0
        )
