"""Entry point of the ``perfsight`` command. Exit codes are a contract: 0 pass, 1 thresholds
failed, 2 could not run (bad input, bad config, a source down)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.markup import escape

from perfsight import __version__
from perfsight.cli import (
    analyze,
    collect,
    config_cmd,
    dashboard,
    demo,
    loadcheck,
    report,
    schedule,
    store_cmd,
)
from perfsight.cli.context import add_config_option, err
from perfsight.errors import PerfsightError

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = (
    analyze,
    collect,
    loadcheck,
    report,
    schedule,
    dashboard,
    demo,
    config_cmd,
    store_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfsight",
        description="Performance dashboard and profiler for web APIs backed by MongoDB and Redis.",
        epilog="Exit codes: 0 pass, 1 thresholds failed, 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"perfsight {__version__}")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="perfsight.toml to read (default: $PERFSIGHT_CONFIG, else ./perfsight.toml)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        sub = module.register(subparsers)
        add_config_option(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except PerfsightError as exc:
        # escaped: messages name settings as "[mongo] uri", which rich would take for markup
        err.print(
            f"[bold red]perfsight {args.command}:[/] {escape(str(exc))}",
            highlight=False,
            markup=True,
        )
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
