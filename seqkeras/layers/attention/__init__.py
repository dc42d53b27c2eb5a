"""Attention layers and the decoders that attend to a memory at every step."""
