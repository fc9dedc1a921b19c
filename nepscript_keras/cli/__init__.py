"""The `nepscript-keras` command line: thin argparse wrappers around the library.

Each subcommand lives in its own module in this package and exposes `register(subparsers)`, which adds
its parser and sets `run` as the parser's default `func`. Modules import heavy
library parts only inside `run`. Errors a user can fix are `NepscriptError`s and print as one line.
"""

import argparse
import importlib
import pkgutil
import sys

from nepscript_keras.errors import NepscriptError


def build_parser() -> argparse.ArgumentParser:
    """Returns the top-level parser with every subcommand module registered."""
    parser = argparse.ArgumentParser(
        prog="nepscript-keras",
        description="Neural architecture search over GANs for handwritten Devanagari (Nepali) digits.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module_info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module_info.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NepscriptError as e:
        print(f"nepscript-keras {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"nepscript-keras {args.command}: interrupted; finished results are kept, run again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
