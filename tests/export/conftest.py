"""One tiny exported model of every task kind, shared by the export tests."""

import numpy as np
import pytest

from seqkeras import export
from seqkeras.data import Vocabulary
from seqkeras.decoding import Greedy
from seqkeras.decoding import Sampling
from seqkeras.models import build_many_to_many
from seqkeras.models import build_many_to_one
from seqkeras.models import build_one_to_many
from seqkeras.models import build_seq2seq

SOURCE_TEXTS = ["2024-01-31", "1999-12-01", "31/01/2024", "jan 5 1987"]
TARGET_TEXTS = ["2024-01-31", "1999-12-01", "1987-01-05"]


@pytest.fixture(scope="package")
def vocabs():
    return {
        "source": Vocabulary.build(SOURCE_TEXTS, split="char"),
        "target": Vocabulary.build(TARGET_TEXTS, split="char"),
    }


@pytest.fixture(scope="package")
def seq2seq_export(tmp_path_factory, vocabs):
    model = build_seq2seq(vocabs["source"].size, vocabs["target"].size, embedding_dim=4, units=8)
    # Trained a step, so that the model holds optimizer variables the export
    # must leave out.
    model.compile("adam", "sparse_categorical_crossentropy")
    ids = np.ones((2, 3), "int32")
    model.fit({"source_ids": ids, "target_ids": ids}, ids, verbose=0)
    path = export.export_seq2seq(
        model,
        vocabs["source"],
        vocabs["target"],
        tmp_path_factory.mktemp("seq2seq") / "export",
        strategy=Greedy(8),
    )
    return model, path


@pytest.fixture(scope="package")
def all_exports(tmp_path_factory, vocabs, seq2seq_export):
    """`{kind: (path, signature inputs, model, extra)}` for every task kind."""
    root = tmp_path_factory.mktemp("exports")
    source, target = vocabs["source"], vocabs["target"]
    texts = ["2024-01-31", "", "\u00e9\u00e9 unseen \u2603", "9" * 300]
    rng = np.random.default_rng(0)
    kinds = {"seq2seq": (seq2seq_export[1], {"inputs": texts}, seq2seq_export[0])}

    caption = build_one_to_many(target.size, (2, 3, 4), embedding_dim=4, units=8)
    features = rng.normal(size=(3, 2, 3, 4)).astype("float32")
    kinds["caption"] = (
        export.export_caption(caption, target, root / "caption", strategy=Greedy(6)),
        {"inputs": features},
        caption,
    )

    lm = build_many_to_many(source.size, vocab_size=source.size, embedding_dim=4, units=8)
    kinds["language_model"] = (
        export.export_language_model(
            lm, source, root / "lm", strategy=Sampling(0.9, seed=0, max_length=7)
        ),
        {"inputs": texts},
        lm,
    )

    classifier = build_many_to_one(3, input_dim=2, units=6)
    sequences = rng.normal(size=(4, 5, 2)).astype("float32")
    kinds["classify"] = (
        export.export_classifier(classifier, root / "classify", labels=["a", "b", "c"]),
        {"inputs": sequences},
        classifier,
    )

    text_classifier = build_many_to_one(2, vocab_size=source.size, embedding_dim=4, units=6)
    kinds["classify_text"] = (
        export.export_classifier(
            text_classifier, root / "classify_text", labels=["neg", "pos"], vocab=source
        ),
        {"inputs": texts},
        text_classifier,
    )

    tagger = build_many_to_many(
        2, vocab_size=source.size, embedding_dim=4, units=6, bidirectional=True
    )
    kinds["tag"] = (
        export.export_tagger(tagger, source, root / "tag", tags=["I", "B"]),
        {"inputs": texts},
        tagger,
    )

    forecaster = build_many_to_one(2, input_dim=1, units=6, output_activation=None)
    windows = (300 + 10 * rng.normal(size=(3, 6, 1))).astype("float32")
    kinds["forecast"] = (
        export.export_forecaster(forecaster, root / "forecast", mean=300.0, std=10.0),
        {"inputs": windows},
        forecaster,
    )
    return kinds
