"""The installed version of seqkeras."""

__version__ = "0.1.0"
