"""Exceptions raised by seqkeras for invalid user input.

Every class derives from `ValueError`, so code that already catches invalid
arguments keeps working; the subclasses let the CLI tell user errors (exit code
2) from internal failures (exit code 1).
"""


class SeqkerasError(ValueError):
    """Base class for errors caused by what a user passed in."""


class ConfigError(SeqkerasError):
    """A pipeline configuration is invalid; the message names the dotted key."""


class DataError(SeqkerasError):
    """Input data is missing or malformed; the message names the file and line."""


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite; nothing was evaluated or exported.

    Not a `SeqkerasError`: the config was valid, so the command exits 1.
    """


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT), or a signal to a `--workers` launcher, stopped a run.

    The message says how to resume it.

    A `KeyboardInterrupt`, so code that stops on Ctrl-C still stops.
    `exit_code` is what the command exits with: 130 for SIGINT, as shells
    report it, and 128 + N for a launcher stopped by signal N.
    """

    def __init__(self, message: str, exit_code: int = 130):
        super().__init__(message)
        self.exit_code = exit_code
