"""Model builders, one per RNN topology, each returning a `keras.Model`.

The generating ones return models of their own classes (`Seq2SeqModel`,
`OneToManyModel`), which build their inference models themselves.
"""

from seqkeras.models.attention_generator_model import AttentionGeneratorModel
from seqkeras.models.attention_generator_model import build_inference_models
from seqkeras.models.attention_options import AttentionOptions
from seqkeras.models.image_encoder import IMAGE_ENCODERS
from seqkeras.models.image_encoder import build_image_encoder
from seqkeras.models.many_to_many import build_many_to_many
from seqkeras.models.many_to_one import build_many_to_one
from seqkeras.models.one_to_many import build_one_to_many
from seqkeras.models.one_to_many_model import OneToManyModel
from seqkeras.models.scheduled_sampling import ScheduledSampling
from seqkeras.models.seq2seq import build_seq2seq
from seqkeras.models.seq2seq_model import Seq2SeqModel

__all__ = [
    "AttentionGeneratorModel",
    "AttentionOptions",
    "IMAGE_ENCODERS",
    "OneToManyModel",
    "ScheduledSampling",
    "Seq2SeqModel",
    "build_image_encoder",
    "build_inference_models",
    "build_many_to_many",
    "build_many_to_one",
    "build_one_to_many",
    "build_seq2seq",
]
