import inspect

import keras
import numpy as np
import pytest

from seqkeras.demo import VOCAB
from seqkeras.demo import reverse_task
from seqkeras.models import attention_generator_model
from seqkeras.models import build_inference_models
from seqkeras.models import build_seq2seq
from seqkeras.models import decoder_head
from seqkeras.models import one_to_many_model
from seqkeras.models import seq2seq_model


@pytest.mark.parametrize(
    "module", [decoder_head, attention_generator_model, seq2seq_model, one_to_many_model]
)
def test_inference_models_find_no_layer_by_name(module):
    # The models keep references to their parts while building themselves.
    assert "get_layer(" not in inspect.getsource(module)


def test_a_plain_functional_copy_is_rejected_and_its_weights_load(tmp_path):
    # What a `.keras` file saved before the model classes existed loads as.
    inputs, _ = reverse_task(n=4)
    model = build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8, name="old")
    plain = keras.Model(model.inputs, model.outputs, name="old")
    path = tmp_path / "old.keras"
    plain.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded).__name__ == "Functional"
    with pytest.raises(ValueError, match=r"`model`.*'old' \(Functional\).*load_weights"):
        build_inference_models(loaded)
    rebuilt = build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8, name="old")
    rebuilt.load_weights(path)
    np.testing.assert_array_equal(
        rebuilt.predict(inputs, verbose=0), model.predict(inputs, verbose=0)
    )
    encoder, _ = rebuilt.inference_models()
    assert encoder.name == "old_encoder"


def test_inference_models_reject_what_is_not_a_model():
    with pytest.raises(ValueError, match=r"`model`.*got 'mlp' \(str\)"):
        build_inference_models("mlp")
