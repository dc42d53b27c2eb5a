"""Text to token ids and back, inside the exported graph (word, character and subword tokens)."""
