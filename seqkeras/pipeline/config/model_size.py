"""A bound on the model a config asks for, checked before any data is read.

Each size key is valid on its own (the schema bounds them); together they
can still ask for more weights than a machine holds (`model.units` in the
tens of thousands over several layers), which TensorFlow reports only after
the run folder exists, as an out-of-memory traceback.
"""

from seqkeras.errors import ConfigError
from seqkeras.layers.kernels.bptt_loops import GATES

#: Most recurrent weights a pipeline's model may hold: 1 GiB of float32,
#: before the optimizer's slots (Adam keeps two more copies).
MAX_RECURRENT_WEIGHTS = 2**28


def recurrent_weights(model, decoder: bool = True) -> int:
    """About how many weights the recurrent layers of `model` (a `ModelConfig`) hold.

    Encoder layers read the embedding (or the layer below, both directions
    when bidirectional); with `decoder`, the decoder cells read the
    embedding and their attention context. Embedding and output tables
    depend on the vocabulary and are not counted.
    """
    gates = GATES[model.cell]  # the schema has checked the cell
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


def check_model_size(model, decoder: bool) -> None:
    """Refuse a model whose recurrent weights pass `MAX_RECURRENT_WEIGHTS`.

    Args:
        model: The config's `model` section (`ModelConfig`).
        decoder: Whether the task's model has attending decoder cells
            (`model.decoder_layers`).

    Raises:
        ConfigError: naming `model.units` and the keys it is multiplied by.
    """
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
