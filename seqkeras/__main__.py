"""Allows `python -m seqkeras`."""

import sys

from seqkeras.cli import main

if __name__ == "__main__":
    sys.exit(main())
