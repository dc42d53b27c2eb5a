import json

import keras
import numpy as np
import pytest

from seqkeras.demo import VOCAB
from seqkeras.demo import grid_caption_task
from seqkeras.demo import reverse_task
from seqkeras.models import ScheduledSampling
from seqkeras.models import build_many_to_one
from seqkeras.models import build_one_to_many
from seqkeras.models import build_seq2seq
from tests.helpers import run_python
from tests.models.builder_checks import REPOSITORY
from tests.models.builder_checks import compile_with_clipnorm
from tests.models.builder_checks import sparse_loss

STEPS = np.array([0, 1, 7, 50, 333, 1000, 5000, 10**7])


def numpy_schedule(schedule, final, decay_steps, k, step):
    """Bengio et al.'s decays of the probability of reading the truth, floored at 1 - final."""
    x = step / decay_steps
    if schedule == "linear":
        truth = np.maximum(1 - final, 1 - final * x)
    elif schedule == "exponential":
        truth = np.maximum(1 - final, k**x)
    else:
        with np.errstate(over="ignore"):
            truth = np.maximum(1 - final, k / (k + np.exp(x / k)))
    return 1 - truth


@pytest.mark.parametrize(
    "schedule, final, decay_steps, k",
    [
        ("linear", 0.25, 1000, None),
        ("linear", 1.0, 7, None),
        ("exponential", 0.5, 100, 0.9),
        ("exponential", 0.25, 2.5, 0.5),
        ("inverse_sigmoid", 0.25, 10, 5),
        ("inverse_sigmoid", 0.9, 1, 1.0),
    ],
)
def test_schedules_follow_their_formulas(schedule, final, decay_steps, k):
    sampling = ScheduledSampling(schedule, final, decay_steps, k)
    got = [float(sampling.probability(step)) for step in STEPS]
    want = numpy_schedule(schedule, final, decay_steps, k, STEPS.astype("float64"))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert got[-1] == pytest.approx(final)
    assert np.all(np.diff(got) >= 0)


def seq2seq_case():
    inputs, target = reverse_task(n=64)
    model = build_seq2seq(
        VOCAB, VOCAB, embedding_dim=4, units=8, decoder_layers=2, attention_layer_units=6
    )
    return model, inputs, target


def caption_case():
    inputs, target = grid_caption_task(n=64)
    return build_one_to_many(VOCAB, (1, 3, VOCAB + 3), embedding_dim=4, units=8), inputs, target


def small_seq2seq():
    """What the fitting tests train: one recurrent loop each way, quick to trace."""
    return build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8, bidirectional_encoder=False)


def twin(model):
    other = small_seq2seq()
    other.set_weights(model.get_weights())
    return other


@pytest.mark.parametrize("case", [seq2seq_case, caption_case], ids=["seq2seq", "caption"])
def test_probability_zero_gives_exactly_the_teacher_forced_logits(case):
    model, inputs, target = case()
    logits = model(inputs, training=True)
    sampled = model.sampled_logits(inputs, 0.0, training=True)
    np.testing.assert_array_equal(sampled, logits)
    loss = sparse_loss(True)
    assert float(loss(target, sampled)) == float(loss(target, logits))


def test_without_scheduled_sampling_training_runs_the_functional_graph():
    model, inputs, _ = seq2seq_case()
    assert model.scheduled_sampling is None
    plain = keras.Model(model.inputs, model.outputs)  # the graph the builder made
    np.testing.assert_array_equal(model(inputs, training=True), plain(inputs, training=True))


def test_probability_zero_trains_exactly_as_teacher_forcing():
    # Weights and Adam's moments too: the embedding's gradient stays sparse.
    inputs, target = reverse_task(n=64)
    model = small_seq2seq()
    teacher_forced = twin(model)
    histories = []
    for trained, callbacks in [
        (model, [ScheduledSampling("linear", final_probability=0.0, decay_steps=1)]),
        (teacher_forced, []),
    ]:
        compile_with_clipnorm(trained, sparse_loss(True))
        history = trained.fit(
            inputs, target, batch_size=32, shuffle=False, callbacks=callbacks, verbose=0
        )
        histories.append(history.history["loss"])
    assert histories[0] == histories[1]
    for got, want in zip(model.get_weights(), teacher_forced.get_weights()):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(model.optimizer.variables, teacher_forced.optimizer.variables):
        np.testing.assert_array_equal(got, want)


def argmax_fed_step_loop(model, inputs, source_key):
    """The model's one-step decoder run in Python, fed the argmax after `<start>`."""
    encoder, step = model.inference_models()
    memory, memory_mask, *states = encoder(inputs[source_key])
    token_ids = inputs["target_ids"][:, 0]
    logits = []
    for _ in range(inputs["target_ids"].shape[1]):
        step_logits, _, *states = step([token_ids, memory, memory_mask, *states])
        logits.append(np.asarray(step_logits))
        token_ids = np.argmax(logits[-1], axis=-1).astype("int32")
    return np.stack(logits, axis=1)


@pytest.mark.parametrize(
    "case, source_key",
    [(seq2seq_case, "source_ids"), (caption_case, "features")],
    ids=["seq2seq", "caption"],
)
def test_probability_one_feeds_the_argmax_like_the_one_step_decoder(case, source_key):
    model, inputs, _ = case()
    inputs = {key: value[:8] for key, value in inputs.items()}
    got = np.asarray(model.sampled_logits(inputs, 1.0, training=True))
    want = argmax_fed_step_loop(model, inputs, source_key)
    real = inputs["target_ids"] != 0
    np.testing.assert_allclose(got[real], want[real], atol=1e-5)
    teacher_forced = np.asarray(model(inputs, training=True))
    assert np.abs(teacher_forced[real] - got[real]).max() > 1e-3


class SeenInTraining(keras.callbacks.Callback):
    """Records, at every epoch's start, what the model trains with."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(self.model.scheduled_sampling)


def test_fit_follows_the_schedule_evaluates_teacher_forced_and_resumes(tmp_path):
    inputs, target = reverse_task(n=64)
    model = small_seq2seq()
    compile_with_clipnorm(model, sparse_loss(True))

    def schedule():  # two steps per epoch: 1 is reached after three epochs
        return ScheduledSampling("linear", final_probability=1.0, decay_steps=6, seed=4)

    sampling, seen = schedule(), SeenInTraining()
    history = model.fit(
        inputs,
        target,
        batch_size=32,
        validation_data=(inputs, target),
        callbacks=[sampling, seen],
        verbose=0,
    )
    assert seen.seen == [sampling] and model.scheduled_sampling is None
    assert history.history["sampling_probability"] == pytest.approx([2 / 6])
    # Validation ran teacher-forced while sampling was on: as evaluate runs now.
    assert model.evaluate(inputs, target, verbose=0) == pytest.approx(
        history.history["val_loss"][0], rel=1e-6
    )
    model.save_weights(tmp_path / "epoch-1.weights.h5")  # the optimizer's state too

    # Training continued from the saved state continues the schedule.
    resumed = twin(model)
    compile_with_clipnorm(resumed, sparse_loss(True))
    resumed.optimizer.build(resumed.trainable_variables)
    resumed.load_weights(tmp_path / "epoch-1.weights.h5")
    history = resumed.fit(
        inputs, target, epochs=3, initial_epoch=1, batch_size=32, callbacks=[schedule()], verbose=0
    )
    assert history.history["sampling_probability"] == pytest.approx([4 / 6, 1.0])

    # Training without the callback reads the truth again.
    batch = {key: value[:32] for key, value in inputs.items()}
    teacher_forced_loss = float(sparse_loss(True)(target[:32], model(batch, training=True)))
    assert model.train_on_batch(batch, target[:32]) == pytest.approx(teacher_forced_loss, rel=1e-6)


@pytest.mark.slow
def test_two_mirrored_devices_train_as_one():
    # Probability 0 at the first step, then 1 with argmax: nothing random.
    # Sequences of one length: each replica's mean loss weighs as much as
    # the other's, so their average is the global batch's mean.
    result = run_python(
        """
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        import json, keras
        from seqkeras.demo import VOCAB, reverse_task
        from seqkeras.models import ScheduledSampling, build_seq2seq
        inputs, target = reverse_task(n=512)
        longest = (target != 0).all(axis=1)
        inputs = {key: value[longest][:64] for key, value in inputs.items()}
        data = tf.data.Dataset.from_tensor_slices((inputs, target[longest][:64])).batch(32)
        losses = {}
        for devices in (["/cpu:0"], ["/cpu:0", "/cpu:1"]):
            keras.utils.set_random_seed(0)
            with tf.distribute.MirroredStrategy(devices).scope():
                model = build_seq2seq(VOCAB, VOCAB, embedding_dim=4, units=8)
                model.compile(
                    keras.optimizers.SGD(0.5),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                )
            sampling = ScheduledSampling("linear", final_probability=1.0, decay_steps=1)
            history = model.fit(data, epochs=2, callbacks=[sampling], verbose=0)
            losses[len(devices)] = history.history["loss"]
        print(json.dumps(losses))
        """,
        cwd=REPOSITORY,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    losses = json.loads(result.stdout.splitlines()[-1])
    assert losses["1"][-1] < losses["1"][0]
    np.testing.assert_allclose(losses["2"], losses["1"], rtol=1e-5)


def test_invalid_arguments_messages():
    with pytest.raises(ValueError, match=r"`schedule`: expected one of 'linear', 'exponential'"):
        ScheduledSampling("sigmoid")
    with pytest.raises(
        ValueError, match=r"`final_probability`: expected a float in \[0, 1\], got 2"
    ):
        ScheduledSampling(final_probability=2)
    with pytest.raises(ValueError, match=r"`decay_steps`: expected a positive number, got 0"):
        ScheduledSampling(decay_steps=0)
    with pytest.raises(ValueError, match=r"`k`: expected None with schedule='linear'.*got 0.5"):
        ScheduledSampling("linear", k=0.5)
    with pytest.raises(ValueError, match=r"`k`: expected a float in \(0, 1\).*got 1.5"):
        ScheduledSampling("exponential", k=1.5)
    with pytest.raises(ValueError, match=r"`k`: expected a number >= 1.*got None"):
        ScheduledSampling("inverse_sigmoid")
    with pytest.raises(ValueError, match=r"`sampling`: expected one of 'argmax', 'sample'"):
        ScheduledSampling(sampling="greedy")


def test_a_model_without_an_attention_decoder_is_refused_at_fit():
    model = build_many_to_one(3, input_dim=2, units=4, name="classifier")
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = np.zeros((4, 5, 2), "float32"), np.zeros((4,), "int32")
    with pytest.raises(
        ValueError,
        match=r"`model`: expected a model built by build_seq2seq.*"
        r"'classifier' \(Functional\)",
    ):
        model.fit(x, y, callbacks=[ScheduledSampling()], verbose=0)
