"""The `seqkeras` command.

Exit codes follow DESIGN.md: 0 on success, 2 on a user error (with a short
message and no traceback), 1 on an internal failure.
"""

import argparse
import sys
from typing import List, Optional

from seqkeras.errors import SeqkerasError
from seqkeras.version import __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqkeras",
        description="Recurrent sequence models for Keras 3.",
    )
    parser.add_argument(
        "--version", action="version", version=f"seqkeras {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="train one model of every topology on a small synthetic task",
    )
    demo.add_argument(
        "--epochs", type=int, default=8, help="epochs per model (default: 8)"
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    commands.add_parser(
        "datasets", help="list the built-in datasets (no download needed)"
    )
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "demo":
            from seqkeras.demo import run_demo

            run_demo(epochs=args.epochs, seed=args.seed)
        elif args.command == "datasets":
            from seqkeras.data.catalog import format_catalog

            print(format_catalog())
    except SeqkerasError as error:
        print(f"seqkeras {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0
