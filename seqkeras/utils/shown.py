"""Values echoed in error messages, kept to a readable length.

A message says what it got, but a 10 KB `name:` or a whole file's line
echoed in full buries the message itself; `shown` keeps the start of the
value and says how long it was.
"""

from typing import Any

#: Characters of a value's `repr` that a message shows before it elides the rest.
MAX_SHOWN = 80


def shown(value: Any) -> str:
    """`repr(value)`, cut after `MAX_SHOWN` characters, naming its full length.

    Example:

    >>> shown("abc")
    "'abc'"
    >>> shown("x" * 10_000)[-30:]
    "xxxxx... (10,002 characters)"
    """
    text = repr(value)
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}... ({len(text):,} characters)"
