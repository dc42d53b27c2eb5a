"""Teacher forcing: decoder input = <start> + target, target = target + <end>."""

import numpy as np
import tensorflow as tf

from seqkeras.data import pipeline
from seqkeras.data import teacher_forcing


def test_pair_for_one_target():
    decoder_input, decoder_target = teacher_forcing.decoder_sequences(tf.constant([7, 8, 9]))
    assert decoder_input.numpy().tolist() == [2, 7, 8, 9]
    assert decoder_target.numpy().tolist() == [7, 8, 9, 3]


def test_seq2seq_and_caption_pairs_in_a_pipeline():
    source, target = [[4, 5, 6], [7]], [[9], [10, 11]]
    dataset = pipeline.sequence_dataset(source, target).map(teacher_forcing.teacher_forcing_pairs)
    (src, dec_in), dec_out = next(iter(pipeline.batch_sequences(dataset, 2, shuffle=False)))
    assert src.numpy().tolist() == [[4, 5, 6], [7, 0, 0]]
    assert dec_in.numpy().tolist() == [[2, 9, 0], [2, 10, 11]]
    assert dec_out.numpy().tolist() == [[9, 3, 0], [10, 11, 3]]

    features = np.ones((2, 4, 64), np.float32)
    captions = tf.data.Dataset.from_tensor_slices((features, tf.ragged.constant(target))).map(
        lambda f, t: teacher_forcing.teacher_forcing_pairs(
            f, tf.identity(t), start_id=20, end_id=21
        )
    )
    (grid, dec_in), dec_out = next(iter(captions))
    assert grid.shape == (4, 64)
    assert dec_in.numpy().tolist() == [20, 9] and dec_out.numpy().tolist() == [9, 21]
