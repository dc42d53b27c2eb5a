"""Teacher-forcing pairs for sequence-to-sequence models and captioning.

During training the decoder reads the true previous token: its input is
``<start>`` followed by the target and it is trained to predict the target
followed by ``<end>``. Both have the same length, one more than the target.
"""

from typing import Any
from typing import Tuple

import tensorflow as tf

from seqkeras.data.vocabulary import Vocabulary


def decoder_sequences(
    target: Any, start_id: int = Vocabulary.start_id, end_id: int = Vocabulary.end_id
) -> Tuple[tf.Tensor, tf.Tensor]:
    """Return ``(decoder_input, decoder_target)`` for a 1-D target id tensor.

    ``decoder_input = [start_id] + target`` and
    ``decoder_target = target + [end_id]``. Works inside `tf.data` maps.

    Args:
        target: 1-D integer ids without `<start>`/`<end>`.
        start_id: the `<start>` id. Defaults to 2.
        end_id: the `<end>` id. Defaults to 3.
    """
    target = tf.convert_to_tensor(target)
    start = tf.constant([start_id], dtype=target.dtype)
    end = tf.constant([end_id], dtype=target.dtype)
    return tf.concat([start, target], 0), tf.concat([target, end], 0)


def teacher_forcing_pairs(
    inputs: Any,
    target: Any,
    start_id: int = Vocabulary.start_id,
    end_id: int = Vocabulary.end_id,
) -> Tuple[Tuple[Any, tf.Tensor], tf.Tensor]:
    """Return ``((inputs, decoder_input), decoder_target)`` for `model.fit`.

    `inputs` is passed through unchanged: source ids for a seq2seq model,
    image features or a spatial grid for captioning. Use as
    ``dataset.map(teacher_forcing_pairs)`` on a dataset of
    ``(inputs, target_ids)``.
    """
    decoder_input, decoder_target = decoder_sequences(target, start_id, end_id)
    return (inputs, decoder_input), decoder_target
