"""The pipeline configuration: typed sections, validated on load.

Each section is a dataclass whose fields carry their constraints in
`metadata` (`choices`, `minimum`, `maximum`, `help`). `from_dict` turns a
parsed YAML mapping into these objects, rejecting unknown keys (with "did you
mean"), wrong types and out-of-range values with a `ConfigError` that names
the dotted key path; `json_schema` describes the same rules for editors.
"""

import dataclasses
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from seqkeras.data.columns import SUBWORD_MODEL_TYPES
from seqkeras.pipeline.config.choices import ATTENTION_LAYER_ACTIVATIONS
from seqkeras.pipeline.config.choices import ATTENTIONS
from seqkeras.pipeline.config.choices import CELLS
from seqkeras.pipeline.config.choices import CNN_FILTERS
from seqkeras.pipeline.config.choices import DECODING_STRATEGIES
from seqkeras.pipeline.config.choices import FED_PREDICTIONS
from seqkeras.pipeline.config.choices import IMAGE_ENCODERS
from seqkeras.pipeline.config.choices import IMPLEMENTATIONS
from seqkeras.pipeline.config.choices import LUONG_SCORES
from seqkeras.pipeline.config.choices import OPTIMIZERS
from seqkeras.pipeline.config.choices import SAMPLING_SCHEDULES
from seqkeras.pipeline.config.choices import TASKS
from seqkeras.pipeline.config.fields import ColumnName
from seqkeras.pipeline.config.fields import dataclass_schema
from seqkeras.pipeline.config.fields import option

#: Bounds on what a config may ask for: past them TensorFlow fails with its own
#: errors (an int64 overflow) or the run never ends.
MAX_BATCH_SIZE = 1 << 20
MAX_EPOCHS = 1_000_000
#: Decoding bounds: a longer output or a wider beam decodes for minutes (or
#: past memory) over a test set, for nothing a sequence task needs.
MAX_GENERATED_LENGTH = 4096
MAX_BEAM_WIDTH = 256
#: `data.source.max_pixels`'s default: Pillow's bound (`seqkeras.data.images.MAX_PIXELS`).
MAX_IMAGE_PIXELS = 89_478_485
#: A run name is one path component and a valid Keras model name.
RUN_NAME = (
    r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}",
    "1-100 of the letters A-Z and a-z, digits, '.', '_' and '-', starting with a letter "
    "or digit (it names the run folder, one path component, and the Keras model)",
)

TOKENS = ("char", "whitespace", "word", "subword")
#: What a column holds: text (split into `tokens`), numbers (a (T, D) array
#: per example, or one number per row of a series) or an image file.
COLUMN_TYPES = ("text", "numbers", "image")


@dataclasses.dataclass
class ColumnConfig:
    column: Optional[ColumnName] = option(
        None,
        help="Column name (CSV/TSV header, JSON field, tfds feature, CoNLL-U field such as "
        "form or upos) or 0-based CoNLL column; null: the built-in dataset's own.",
    )
    type: Optional[str] = option(
        None,
        help="What the column holds; null: the dataset's own, else text.",
        choices=COLUMN_TYPES,
    )
    tokens: Optional[str] = option(
        None,
        help="How text splits into tokens; null: the dataset's own, else char. subword: "
        "SentencePiece pieces trained on the training split (seq2seq source and target).",
        choices=TOKENS,
    )
    vocabulary_size: Optional[int] = option(
        None,
        help="tokens: subword: ids of the SentencePiece model, the 4 reserved ones included.",
        minimum=5,
    )
    model_type: Optional[str] = option(
        None,
        help="tokens: subword: SentencePiece's algorithm; null: unigram.",
        choices=SUBWORD_MODEL_TYPES,
    )
    time: Optional[str] = option(
        None,
        help="Forecasting: the column the rows are ordered by (ISO dates or datetimes, or "
        "numbers); null: the file's order is the time order.",
    )
    size: Optional[List[int]] = option(
        None,
        help="Image columns: [height, width] every image is resized to.",
        minimum=1,
        length=2,
    )
    max_pixels: int = option(
        MAX_IMAGE_PIXELS,
        help="Image columns: most pixels an image may declare (its header is read before "
        "decoding); larger ones are refused, naming the file and row.",
        minimum=1,
    )


@dataclasses.dataclass
class FilesConfig:
    train: Optional[str] = option(
        None, help="Training examples: a .tsv or .csv file with a header line, or .jsonl."
    )
    validation: Optional[str] = option(
        None, help="Validation examples; 10% of the training file when null."
    )
    test: Optional[str] = option(None, help="Test examples; 10% of the training file when null.")
    source: str = option("source", help="Column (or JSON field) of the input text.")
    target: str = option("target", help="Column (or JSON field) of the output text.")
    source_tokens: Optional[str] = option(
        None,
        help="How inputs split into tokens (data.source.tokens says it too).",
        choices=TOKENS,
    )
    target_tokens: Optional[str] = option(
        None,
        help="How outputs split into tokens (data.target.tokens says it too).",
        choices=TOKENS,
    )


@dataclasses.dataclass
class DataConfig:
    dataset: str = option(
        "digits_rows",
        help="Built-in dataset name (see `seqkeras datasets`), or `files` for your own.",
    )
    files: FilesConfig = option(
        FilesConfig, help="Your own example files, read when `dataset` is `files` (seq2seq)."
    )
    path: Optional[str] = option(
        None, help="Your own UTF-8 text file, for the `text` and `word_boundaries` datasets."
    )
    source: ColumnConfig = option(ColumnConfig, help="The input column and what it holds.")
    target: ColumnConfig = option(
        ColumnConfig, help="The output column: a label, tags (one per token) or text."
    )
    batch_size: int = option(64, help="Examples per batch.", minimum=1, maximum=MAX_BATCH_SIZE)
    max_length: Optional[int] = option(
        None, help="Truncate longer sequences to this many tokens.", minimum=1
    )
    window: int = option(
        16, help="Input steps of forecasting and language-model windows.", minimum=1
    )
    num_buckets: int = option(
        4, help="Length buckets per epoch (1 turns bucketing off).", minimum=1
    )
    limit: Optional[int] = option(None, help="Use only this many training examples.", minimum=1)


@dataclasses.dataclass
class AttentionConfig:
    kind: str = option(
        "bahdanau",
        help="Attention mechanism: bahdanau (additive) or luong (multiplicative, see score).",
        choices=ATTENTIONS,
    )
    units: Optional[int] = option(
        None,
        help="Attention size (bahdanau, luong concat); defaults to model.units. Luong's dot "
        "and general scores have the query's size.",
        minimum=1,
    )
    normalize: bool = option(False, help="bahdanau: weight-normalised score.")
    score: Optional[str] = option(
        None,
        help="luong: dot (h_t . h_s), general (h_t . W_a h_s) or concat "
        "(v_a . tanh(W_a [h_t; h_s])); null: general.",
        choices=LUONG_SCORES,
    )
    scale: bool = option(
        False, help="luong: multiply the scores by a learned scalar g (TFA's scale=True)."
    )
    layer_units: Optional[int] = option(
        None,
        help="Size of an attention layer f(W[h; c]) between decoder and logits (seq2seq, caption).",
        minimum=1,
    )
    layer_activation: str = option(
        "tanh",
        help="f of the attention layer: tanh (Luong et al.) or linear (TFA's "
        "attention_layer_size).",
        choices=ATTENTION_LAYER_ACTIVATIONS,
    )


@dataclasses.dataclass
class ImageEncoderConfig:
    kind: str = option(
        "cnn",
        help="cnn (a small convolution stack trained with the model) or a keras.applications "
        "backbone without its classifier.",
        choices=IMAGE_ENCODERS,
    )
    weights: Optional[str] = option(
        None,
        help="null (random initialisation), imagenet (keras.applications kinds; Keras "
        "downloads them) or the path of a local .h5 / .weights.h5 weights file.",
    )
    trainable: Optional[bool] = option(
        None, help="Whether the encoder trains; null: it trains unless weights are given."
    )
    filters: List[int] = option(
        list(CNN_FILTERS),
        help="cnn: filters of each block (3x3 convolution, ReLU, 2x2 max pooling).",
        minimum=1,
    )


@dataclasses.dataclass
class ModelConfig:
    cell: str = option("lstm", help="Recurrent cell.", choices=tuple(CELLS))
    units: int = option(64, help="Units per recurrent layer.", minimum=1)
    layers: int = option(
        1, help="Stacked recurrent layers (encoder layers for seq2seq).", minimum=1
    )
    decoder_layers: int = option(1, help="Stacked decoder cells (seq2seq, caption).", minimum=1)
    bidirectional: bool = option(False, help="Bidirectional encoder layers.")
    embedding_dim: int = option(32, help="Token embedding size.", minimum=1)
    dropout: float = option(0.0, help="Input dropout rate.", minimum=0.0, maximum=0.99)
    recurrent_dropout: float = option(
        0.0, help="Recurrent dropout rate.", minimum=0.0, maximum=0.99
    )
    pooling: str = option("last", help="Many-to-one pooling.", choices=("last", "attention"))
    attention: AttentionConfig = option(AttentionConfig, help="Attention options.")
    image_encoder: ImageEncoderConfig = option(
        ImageEncoderConfig,
        help="Captioning image files: the encoder from pixels to the grid the decoder attends "
        "over.",
    )
    implementation: str = option(
        "auto",
        help="Kernel of the recurrent layers: auto (cuDNN on a GPU, XLA-compiled loops for "
        "training on a CPU, the reference loop otherwise), reference (Keras's loop over the "
        "cell), fast (input product hoisted, hand-written backward pass; LSTM/vanilla), xla "
        "(fast, XLA-compiled; LSTM/vanilla) or cudnn (GPU; LSTM/GRU); same results to 1e-5 "
        "(docs/speed.md).",
        choices=IMPLEMENTATIONS,
    )


@dataclasses.dataclass
class OptimizerConfig:
    name: str = option("adam", help="Optimizer.", choices=tuple(OPTIMIZERS))
    learning_rate: float = option(0.001, help="Initial learning rate.", minimum=0.0)
    clipnorm: Optional[float] = option(
        1.0, help="Clip each gradient to this norm (the default for recurrent models).", minimum=0.0
    )
    clipvalue: Optional[float] = option(None, help="Clip gradient values.", minimum=0.0)
    global_clipnorm: Optional[float] = option(
        None, help="Clip all gradients together to this norm (replaces clipnorm).", minimum=0.0
    )


@dataclasses.dataclass
class ScheduleConfig:
    name: str = option(
        "constant", help="Learning-rate schedule.", choices=("constant", "cosine", "exponential")
    )
    decay_rate: float = option(0.5, help="Exponential decay per `decay_epochs`.", minimum=0.0)
    decay_epochs: float = option(1.0, help="Epochs per exponential decay step.", minimum=0.0)


@dataclasses.dataclass
class EarlyStoppingConfig:
    patience: Optional[int] = option(
        None, help="Epochs without improvement before stopping; off when null.", minimum=1
    )
    monitor: str = option("val_loss", help="Quantity to monitor.")


@dataclasses.dataclass
class TBPTTConfig:
    window: Optional[int] = option(
        None, help="Truncated backpropagation window in steps; off when null.", minimum=1
    )


@dataclasses.dataclass
class ScheduledSamplingConfig:
    schedule: Optional[str] = option(
        None,
        help="Scheduled sampling (seq2seq, caption; Bengio et al. 2015): how the probability "
        "p of feeding the decoder its own previous prediction instead of the true token "
        "grows, with x = epochs trained / decay_epochs (updated every step): linear "
        "p = final_probability * min(1, x); exponential p = min(final_probability, 1 - "
        "k^x); inverse_sigmoid p = min(final_probability, 1 - k / (k + exp(x / k))). Off "
        "when null (teacher forcing).",
        choices=SAMPLING_SCHEDULES,
    )
    final_probability: float = option(
        0.25, help="The highest probability of feeding a prediction.", minimum=0.0, maximum=1.0
    )
    decay_epochs: Optional[float] = option(
        None,
        help="Epochs per unit of x (linear reaches final_probability at x = 1); null: "
        "train.epochs for linear, 1 for exponential and inverse_sigmoid.",
        minimum=0.0,
    )
    k: Optional[float] = option(
        None,
        help="The schedule's constant: 0 < k < 1 for exponential, k >= 1 for "
        "inverse_sigmoid; not used by linear.",
        minimum=0.0,
    )
    sampling: str = option(
        "argmax",
        help="The fed prediction: the argmax of the previous step's logits (what greedy and "
        "beam decoding follow) or a sample of their softmax (as Bengio et al. and TFA do).",
        choices=FED_PREDICTIONS,
    )


STRATEGIES = ("none", "mirrored", "multi_worker", "tpu")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclasses.dataclass
class DistributeConfig:
    strategy: str = option(
        "none",
        help="tf.distribute strategy: mirrored (devices of one host), multi_worker "
        "(hosts named by TF_CONFIG), tpu.",
        choices=STRATEGIES,
    )
    devices: List[str] = option(
        [], help="Devices of the mirrored strategy, such as /gpu:0; all visible when empty."
    )


@dataclasses.dataclass
class TrainConfig:
    epochs: int = option(10, help="Training epochs.", minimum=1, maximum=MAX_EPOCHS)
    optimizer: OptimizerConfig = option(OptimizerConfig, help="Optimizer and gradient clipping.")
    schedule: ScheduleConfig = option(ScheduleConfig, help="Learning-rate schedule.")
    early_stopping: EarlyStoppingConfig = option(EarlyStoppingConfig, help="Early stopping.")
    tbptt: TBPTTConfig = option(TBPTTConfig, help="Truncated backpropagation through time.")
    scheduled_sampling: ScheduledSamplingConfig = option(
        ScheduledSamplingConfig,
        help="Feed the attention decoder its own predictions, more and more often.",
    )
    deterministic: bool = option(False, help="Enable TensorFlow op determinism.")
    distribute: DistributeConfig = option(
        DistributeConfig, help="Training on several devices or hosts (tf.distribute)."
    )
    jit_compile: Optional[bool] = option(
        None,
        help='Compile the training step with XLA; null is Keras\'s "auto" (no XLA on a CPU).',
    )
    mixed_precision: str = option(
        "float32",
        help="Keras dtype policy of training: variables stay float32, layers compute "
        "in float16 or bfloat16.",
        choices=PRECISIONS,
    )


@dataclasses.dataclass
class EvaluateConfig:
    strategy: Optional[str] = option(
        None,
        help="Decoding strategy of generated outputs, in evaluation and in the export's "
        "serving_default; null is beam when beam_width > 1, else the task's own (greedy; "
        "sample for language_model).",
        choices=tuple(DECODING_STRATEGIES),
    )
    max_length: int = option(
        40, help="Longest generated sequence.", minimum=1, maximum=MAX_GENERATED_LENGTH
    )
    beam_width: int = option(
        1,
        help="Beam search width (a width above 1 with strategy null means beam).",
        minimum=1,
        maximum=MAX_BEAM_WIDTH,
    )
    length_penalty: float = option(
        0.0,
        help="Beam search length penalty alpha (GNMT); 0 ranks by log-probability.",
        minimum=0.0,
    )
    temperature: float = option(
        1.0, help="Sampling temperature; below 1 sharpens the distribution.", minimum=1e-6
    )
    top_k: Optional[int] = option(
        None, help="Sample among the k most likely tokens only; all when null.", minimum=1
    )
    samples: int = option(20, help="Predictions written to predictions.tsv.", minimum=0)
    attention_plots: int = option(3, help="Attention heat maps to plot.", minimum=0)


@dataclasses.dataclass
class ForecastConfig:
    horizon: int = option(
        1,
        help="Steps ahead: the model forecasts the next `horizon` values at once.",
        minimum=1,
    )
    season: Optional[int] = option(
        None,
        help="Steps per season, the seasonal-naive baseline's period; null: the built-in "
        "dataset's own, and no seasonal baseline for your own files.",
        minimum=1,
    )


#: `export.formats`: the SavedModel, and the portable formats of
#: `seqkeras.export.portable.PORTABLE_FORMATS`.
EXPORT_FORMATS = ("saved_model", "litert", "onnx")


@dataclasses.dataclass
class ExportConfig:
    enabled: bool = option(True, help="Write a SavedModel to export/.")
    formats: List[str] = option(
        ["saved_model"],
        help="What export/ holds: the SavedModel (always listed), and for classify, tag "
        "and forecast the model's numeric core as litert (model.tflite) and onnx "
        "(model.onnx); the export extra installs their tools.",
        choices=EXPORT_FORMATS,
    )


@dataclasses.dataclass
class PipelineConfig:
    name: str = option(
        "run",
        help="Run name; the run folder is runs/<name>/<timestamp>/ and the Keras model's "
        "name: letters, digits, '.', '_' and '-', starting with a letter or digit.",
        pattern=RUN_NAME,
    )
    task: str = option("classify", help="What the pipeline does.", choices=tuple(TASKS))
    seed: int = option(
        0,
        help="Seed for Python, NumPy, TensorFlow and the data splits.",
        minimum=0,
        maximum=2**32 - 1,
    )
    data: DataConfig = option(DataConfig, help="Data source and batching.")
    model: ModelConfig = option(ModelConfig, help="Model builder options.")
    train: TrainConfig = option(TrainConfig, help="Training.")
    evaluate: EvaluateConfig = option(EvaluateConfig, help="Evaluation and decoding.")
    forecast: ForecastConfig = option(
        ForecastConfig, help="Forecasting: steps ahead and the seasonal baseline's period."
    )
    export: ExportConfig = option(ExportConfig, help="Export.")


def json_schema(cls=PipelineConfig) -> Dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the configuration, for editors."""
    schema = dataclass_schema(cls)
    if cls is not PipelineConfig:
        return schema
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "seqkeras pipeline",
        **schema,
    }
    schema["properties"]["include"] = {
        "type": "array",
        "items": {"type": "string"},
        "description": "Config fragments merged in order before this file's keys.",
    }
    return schema
