import numpy as np
import pytest

from seqkeras.demo import previous_token_task
from seqkeras.models import build_many_to_many
from tests.models.builder_checks import assert_distinct_layer_weights
from tests.models.builder_checks import assert_gru_model_trains_one_step
from tests.models.builder_checks import assert_loss_falls
from tests.models.builder_checks import assert_saves_and_exports
from tests.models.builder_checks import compile_with_clipnorm
from tests.models.builder_checks import sparse_loss


@pytest.mark.parametrize("cell", ["lstm", "vanilla"])
def test_learns_a_task_that_needs_memory(cell):
    ids, tags = previous_token_task()
    model = build_many_to_many(6, vocab_size=6, embedding_dim=8, units=16, cell=cell)
    assert model.output.shape == (None, None, 6)
    compile_with_clipnorm(model, sparse_loss(False), 0.02)
    assert_loss_falls(model, ids, tags, epochs=8, factor=0.3)


def test_bidirectional_sees_the_future():
    # Tag = the next token: only a model that reads right to left can know it.
    ids, _ = previous_token_task()
    tags = np.concatenate([ids[:, 1:], np.zeros((len(ids), 1), "int32")], axis=1)
    model = build_many_to_many(6, vocab_size=6, embedding_dim=8, units=16, bidirectional=True)
    compile_with_clipnorm(model, sparse_loss(False), 0.02)
    assert_loss_falls(model, ids, tags, epochs=8, factor=0.3)


def test_padded_steps_do_not_change_the_loss():
    ids, tags = previous_token_task(n=16)
    model = build_many_to_many(6, vocab_size=6, embedding_dim=4, units=8)
    compile_with_clipnorm(model, sparse_loss(False))
    loss = model.evaluate(ids, tags, verbose=0)
    other_tags = tags.copy()
    other_tags[ids == 0] = 5  # labels under padding are never read
    longer_ids = np.concatenate([ids, np.zeros((16, 3), "int32")], axis=1)
    longer_tags = np.concatenate([other_tags, np.full((16, 3), 4, "int32")], axis=1)
    assert model.evaluate(ids, other_tags, verbose=0) == pytest.approx(loss, abs=1e-6)
    assert model.evaluate(longer_ids, longer_tags, verbose=0) == pytest.approx(loss, abs=1e-6)
    # A change under real steps does move it: the check can fail.
    changed = tags.copy()
    changed[:, 1] = (changed[:, 1] + 1) % 6
    assert abs(model.evaluate(ids, changed, verbose=0) - loss) > 1e-4


def test_stacked_layers_have_their_own_weights():
    model = build_many_to_many(3, input_dim=2, units=8, num_layers=3)
    assert_distinct_layer_weights(model, 3)


def test_saves_and_exports(tmp_path):
    ids, _ = previous_token_task(n=4)
    model = build_many_to_many(
        6, vocab_size=6, embedding_dim=4, units=8, num_layers=2, bidirectional=True, cell="vanilla"
    )
    assert_saves_and_exports(model, ids, tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_outputs": -1, "input_dim": 2}, r"`num_outputs`.*-1"),
        (
            {"num_outputs": 2, "input_dim": 2, "recurrent_dropout": -0.1},
            r"`recurrent_dropout`.*-0.1",
        ),
        ({"num_outputs": 2, "input_dim": 0}, r"`input_dim`.*positive integer.*0"),
        ({"num_outputs": 2, "vocab_size": 5, "embedding_dim": 0}, r"`embedding_dim`.*0"),
        (
            {"num_outputs": 2, "vocab_size": 5, "stateful": True},
            r"`batch_size`.*stateful=True.*got None",
        ),
    ],
)
def test_invalid_arguments(kwargs, message):
    num_outputs = kwargs.pop("num_outputs")
    with pytest.raises(ValueError, match=message):
        build_many_to_many(num_outputs, **kwargs)


def test_gru_cell_trains_bidirectional_and_stacked():
    ids, tags = previous_token_task(n=16)
    model = build_many_to_many(
        6, vocab_size=6, embedding_dim=4, units=8, num_layers=2, bidirectional=True, cell="gru"
    )
    assert_gru_model_trains_one_step(model, ids, tags, sparse_loss(False))
