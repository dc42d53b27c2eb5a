"""A bound on the model a config asks for, checked before any data is read.

Each size key is valid on its own (the schema bounds them); together they
can still ask for more weights than a machine holds (`model.units` in the
tens of thousands over several layers), which TensorFlow reports only after
the run folder exists, as an out-of-memory traceback.
"""

from seqkeras.errors import ConfigError

#: Most recurrent weights a pipeline's model may hold: 1 GiB of float32,
#: before the optimizer's slots (Adam keeps two more copies).
MAX_RECURRENT_WEIGHTS = 2**28
#: Weight matrices per cell: the gates and the candidate.
GATES = {"lstm": 4, "gru": 3, "vanilla": 1}
#: Tasks whose models have attending decoder cells (`model.decoder_layers`).
DECODING_TASKS = ("seq2seq", "caption")


def recurrent_weights(model, decoder: bool = True) -> int:
    """About how many weights the recurrent layers of `model` (a `ModelConfig`) hold.

    Encoder layers read the embedding (or the layer below, both directions
    when bidirectional); with `decoder`, the decoder cells read the
    embedding and their attention context. Embedding and output tables
    depend on the vocabulary and are not counted.
    """
    gates = GATES.get(model.cell, 4)
    directions = 2 if model.bidirectional else 1
    units, inputs = model.units, model.embedding_dim
    total = 0
    for _ in range(model.layers):
        total += directions * gates * units * (inputs + units + 1)
        inputs = directions * units
    decoder_inputs = model.embedding_dim + directions * units
    for _ in range(model.decoder_layers if decoder else 0):
        total += gates * units * (decoder_inputs + units + 1)
        decoder_inputs = units
    return total


def check_model_size(config) -> None:
    """Refuse a model whose recurrent weights pass `MAX_RECURRENT_WEIGHTS`.

    Args:
        config: The `PipelineConfig`; its task says whether there is a decoder.

    Raises:
        ConfigError: naming `model.units` and the keys it is multiplied by.
    """
    model, decoder = config.model, config.task in DECODING_TASKS
    weights = recurrent_weights(model, decoder)
    if weights > MAX_RECURRENT_WEIGHTS:
        layers = f"model.layers {model.layers}"
        if decoder:
            layers += f", model.decoder_layers {model.decoder_layers}"
        raise ConfigError(
            f"model.units: {model.units} with {layers} and model.embedding_dim "
            f"{model.embedding_dim} makes about {weights:,} recurrent weights; the bound is "
            f"{MAX_RECURRENT_WEIGHTS:,} (1 GiB of float32). Lower model.units or the layers."
        )
