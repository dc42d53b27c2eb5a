"""The names a pipeline config chooses among, without importing what they name.

The config schema (`seqkeras schema`, loading a pipeline file) needs these
names but not the cells, image encoders, optimizers and decoding strategies
behind them, whose modules import Keras and TensorFlow (seconds of start-up).
Each tuple mirrors the registry named beside it, in the same order;
`tests/pipeline/test_choices.py` checks that they are equal, so the two
cannot drift apart.
"""

#: The task kinds, by the name of the config's `task` key: the module of
#: `seqkeras.pipeline.tasks` and the class that carry each out (imported by
#: `seqkeras.pipeline.tasks.get_task` when a pipeline asks for it). The one
#: list of tasks: the schema's `task` choices come from it.
TASKS = {
    "classify": ("classify", "ClassifyTask"),
    "tag": ("tag", "TagTask"),
    "seq2seq": ("seq2seq", "Seq2SeqTask"),
    "caption": ("caption", "CaptionTask"),
    "language_model": ("language_model", "LanguageModelTask"),
    "forecast": ("forecast", "ForecastTask"),
}
#: `seqkeras.models.recurrent_stack.CELLS`: `model.cell`.
CELLS = ("lstm", "vanilla", "gru")
#: `seqkeras.layers.kernels.kernel_choice.IMPLEMENTATIONS`: `model.implementation`.
IMPLEMENTATIONS = ("auto", "reference", "fast", "xla", "cudnn")
#: `seqkeras.models.image_encoder.IMAGE_ENCODERS`: `model.image_encoder.kind`.
IMAGE_ENCODERS = (
    "cnn",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "mobilenet_v2",
    "efficientnet_b0",
    "efficientnet_v2_b0",
)
#: `seqkeras.models.image_encoder.CNN_FILTERS`: `model.image_encoder.filters`.
CNN_FILTERS = (32, 64, 128)
#: `seqkeras.pipeline.training.optimizers.OPTIMIZERS`: `train.optimizer.name`.
OPTIMIZERS = ("adam", "rmsprop", "sgd")
#: `seqkeras.decoding.STRATEGIES`: `evaluate.strategy`.
DECODING_STRATEGIES = ("beam", "greedy", "sample")
#: `seqkeras.models.attention_mechanism.ATTENTIONS`: `model.attention.kind`.
ATTENTIONS = ("bahdanau", "luong")
#: `seqkeras.layers.attention.luong_attention.SCORES`: `model.attention.score`.
LUONG_SCORES = ("dot", "general", "concat")
#: `seqkeras.layers.attention.attention_decoder.ATTENTION_LAYER_ACTIVATIONS`:
#: `model.attention.layer_activation`.
ATTENTION_LAYER_ACTIVATIONS = ("tanh", "linear")
#: `seqkeras.models.scheduled_sampling.SCHEDULES`: `train.scheduled_sampling.schedule`.
SAMPLING_SCHEDULES = ("linear", "exponential", "inverse_sigmoid")
#: `SAMPLING` of `seqkeras.layers.attention.scheduled_sampling_decoder`:
#: `train.scheduled_sampling.sampling`.
FED_PREDICTIONS = ("argmax", "sample")
