"""`seqkeras demo`: one model of every topology trained on a small task.

Each task is synthetic, learnable in seconds, and needs what its topology
offers: memory across steps, context from both sides, attention that moves
along a source, or attention over image positions. The demo prints, per
model, the loss before and after training and the accuracy on held-out data.
"""

import time
from typing import Callable
from typing import Dict
from typing import List
from typing import Tuple

import keras
import numpy as np

from seqkeras import models

START, END = 1, 2  # token ids; 0 is padding
SYMBOLS = 6  # symbol ids are 3 .. 3 + SYMBOLS - 1
VOCAB = 3 + SYMBOLS


def sign_of_sum_task(n: int = 512, steps: int = 6, features: int = 3, seed: int = 0):
    """Many-to-one: class 1 when the first feature sums above zero."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, features)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("int32")
    return x, y


def previous_token_task(n: int = 512, steps: int = 7, vocab: int = 6, seed: int = 0):
    """Many-to-many: tag each step with the previous token (0 at the first).

    Rows end in padding (id 0) of random length.
    """
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, size=(n, steps)).astype("int32")
    lengths = rng.integers(3, steps + 1, size=n)
    ids[np.arange(steps)[None, :] >= lengths[:, None]] = 0
    tags = np.concatenate([np.zeros((n, 1), "int32"), ids[:, :-1]], axis=1)
    return ids, tags


def reverse_task(n: int = 512, max_length: int = 5, seed: int = 0):
    """Seq2seq: reverse the source; teacher-forced decoder inputs, targets."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, max_length + 1, size=n)
    source = np.zeros((n, max_length), "int32")
    decoder_in = np.zeros((n, max_length + 1), "int32")
    target = np.zeros((n, max_length + 1), "int32")
    for row, length in enumerate(lengths):
        symbols = rng.integers(3, VOCAB, size=length)
        source[row, :length] = symbols
        decoder_in[row, : length + 1] = [START, *symbols[::-1]]
        target[row, : length + 1] = [*symbols[::-1], END]
    return {"source_ids": source, "target_ids": decoder_in}, target


def grid_caption_task(n: int = 512, width: int = 3, seed: int = 0):
    """One-to-many: caption a 1 x width grid with its symbols, left to right.

    Each position holds the one-hot of its symbol and of its own index.
    """
    rng = np.random.default_rng(seed)
    symbols = rng.integers(3, VOCAB, size=(n, width))
    grid = np.concatenate(
        [
            np.eye(VOCAB, dtype="float32")[symbols],
            np.tile(np.eye(width, dtype="float32")[None], (n, 1, 1)),
        ],
        axis=-1,
    )[:, None]
    decoder_in = np.concatenate([np.full((n, 1), START), symbols], 1)
    target = np.concatenate([symbols, np.full((n, 1), END)], 1)
    return (
        {"features": grid, "target_ids": decoder_in.astype("int32")},
        target.astype("int32"),
    )


def _demos() -> List[Tuple[str, str, Callable, Callable, bool]]:
    # (topology, task, data(seed), model(), from_logits)
    return [
        (
            "many-to-one",
            "sign of a sum",
            lambda seed: sign_of_sum_task(seed=seed),
            lambda: models.build_many_to_one(2, input_dim=3, units=32),
            False,
        ),
        (
            "many-to-many",
            "tag the previous token",
            lambda seed: previous_token_task(seed=seed),
            lambda: models.build_many_to_many(6, vocab_size=6, embedding_dim=8, units=32),
            False,
        ),
        (
            "seq2seq",
            "reverse a sequence",
            lambda seed: reverse_task(seed=seed),
            lambda: models.build_seq2seq(VOCAB, VOCAB, embedding_dim=16, units=32),
            True,
        ),
        (
            "one-to-many",
            "caption a grid",
            lambda seed: grid_caption_task(seed=seed),
            lambda: models.build_one_to_many(VOCAB, (1, 3, VOCAB + 3), embedding_dim=16, units=32),
            True,
        ),
    ]


def run_demo(epochs: int = 8, seed: int = 0) -> List[Dict[str, object]]:
    """Train every topology's demo model; print and return a results table."""
    if epochs < 1:
        from seqkeras.errors import SeqkerasError

        raise SeqkerasError(
            f"Received an invalid value for `--epochs`: expected a positive integer, got {epochs}."
        )
    keras.utils.set_random_seed(seed)
    results = []
    print(
        f"{'topology':<14}{'task':<24}{'loss before':>12}{'loss after':>12}"
        f"{'accuracy':>10}{'seconds':>9}"
    )
    for topology, task, make_data, make_model, from_logits in _demos():
        x_train, y_train = make_data(seed)
        x_test, y_test = make_data(seed + 1)
        model = make_model()
        model.compile(
            keras.optimizers.Adam(0.01, clipnorm=1.0),
            keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
            metrics=["accuracy"],
        )
        before = model.evaluate(x_test, y_test, verbose=0)[0]
        started = time.perf_counter()
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        seconds = time.perf_counter() - started
        after, accuracy = model.evaluate(x_test, y_test, verbose=0)
        row = {
            "topology": topology,
            "task": task,
            "loss_before": before,
            "loss_after": after,
            "accuracy": accuracy,
            "seconds": seconds,
        }
        results.append(row)
        print(
            f"{topology:<14}{task:<24}{before:>12.3f}{after:>12.3f}"
            f"{accuracy:>10.3f}{seconds:>9.1f}",
            flush=True,
        )
    return results
