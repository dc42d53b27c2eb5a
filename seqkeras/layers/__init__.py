"""Recurrent cells, sequence layers and attention, all registered with Keras.

Every class here is serializable under the package name "seqkeras", so models
that use them save to and load from `.keras` files.
"""
