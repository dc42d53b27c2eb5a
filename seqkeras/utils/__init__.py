"""Small helpers shared by seqkeras modules (not part of the public API)."""
