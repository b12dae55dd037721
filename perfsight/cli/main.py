"""Entry point of the ``perfsight`` command. Exit codes are a contract: 0 pass, 1 thresholds
failed, 2 could not run (bad input, bad config, a source down)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from rich.markup import escape

from perfsight import __version__, compiled
from perfsight.cli.context import add_config_option, err
from perfsight.errors import PerfsightError

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
# In --help order. Imported when used: a command's start-up should not pay for the others'
# libraries (Locust, Streamlit, APScheduler, pymongo…) — `perfsight analyze` on a large log is
# measured from process start.
SUBCOMMANDS = (
    "analyze",
    "collect",
    "loadcheck",
    "report",
    "schedule",
    "dashboard",
    "demo",
    "config",
    "store",
)
_MODULES = {"config": "config_cmd", "store": "store_cmd"}


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"perfsight.cli.{_MODULES.get(name, name)}")


class _Version(argparse.Action):
    """``--version``, with how the hot path runs: worked out only when asked (it hashes the
    compiled modules' sources), not at every start."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any) -> None:
        print(f"perfsight {__version__} ({compiled.summary()})")  # stdout, as argparse's own
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``only`` (the one being run)."""
    parser = argparse.ArgumentParser(
        prog="perfsight",
        description="Performance dashboard and profiler for web APIs backed by MongoDB and Redis.",
        epilog="Exit codes: 0 pass, 1 thresholds failed, 2 could not run.",
    )
    parser.add_argument("--version", action=_Version, help="show program's version number and exit")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="perfsight.toml to read (default: $PERFSIGHT_CONFIG, else ./perfsight.toml)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS if only is None else (only,):
        sub = _module(name).register(subparsers)
        add_config_option(sub)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (skipping the global options), if it is one."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--config":
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in SUBCOMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except PerfsightError as exc:
        # The message names settings as [table] key: escaped, or rich would take them for markup.
        message = escape(str(exc))
        err.print(f"[bold red]perfsight {args.command}:[/] {message}", highlight=False)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
