"""Model builders, one per RNN topology, each returning a `keras.Model`."""
