"""Validation of constructor and builder arguments, with uniform messages.

Each check raises `ValueError` naming the argument, saying what was expected
and echoing the value received, in one form throughout the package:
``Received an invalid value for `units`: expected a positive integer, got -3.``
"""

from typing import Any
from typing import Iterable
from typing import Optional

from seqkeras.utils.shown import shown


def invalid(name: str, expected: str, value: Any) -> ValueError:
    """Return (not raise) the standard error for an invalid argument."""
    return ValueError(
        f"Received an invalid value for `{name}`: expected {expected}, got {shown(value)}."
    )


def check_positive_int(name: str, value: Any) -> int:
    """Return `value` if it is an integer >= 1, else raise `ValueError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(name, "a positive integer", value)
    return value


def check_optional_positive_int(name: str, value: Any) -> Optional[int]:
    """Like `check_positive_int`, but `None` is accepted too."""
    if value is None:
        return None
    return check_positive_int(name, value)


def check_rate(name: str, value: Any) -> float:
    """Return `value` as a float if it is a probability in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(name, "a float in [0, 1)", value)
    if not 0.0 <= value < 1.0:
        raise invalid(name, "a float in [0, 1)", value)
    return float(value)


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return `value` if it is one of `choices` (compared as given)."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(
            f"Received an invalid value for `{name}`: expected one of "
            f"{', '.join(repr(c) for c in choices)}, got {shown(value)}."
        )
    return value
