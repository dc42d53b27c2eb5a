"""The optimizers a pipeline can train with, by the name `train.optimizer.name` uses."""

import keras

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}
