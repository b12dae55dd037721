"""The CLI reference (docs/cli.md), generated from the argument parser itself so that it cannot
drift from the code: ``python -m perfsight.cli.reference > docs/cli.md`` (a test compares)."""

from __future__ import annotations

import argparse
import os

from perfsight.cli.main import build_parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subcommands nowhere public
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(parser: argparse.ArgumentParser) -> str:
    # A fixed width: the text must not depend on the terminal that generates it.
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        return parser.format_help().rstrip()
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def reference_markdown() -> str:
    parser = build_parser()
    lines = [
        "# perfsight command-line reference",
        "",
        "Generated from the argument parser (`python -m perfsight.cli.reference`); every",
        "command also prints this with `--help`. Exit codes: 0 pass, 1 thresholds failed,",
        "2 could not run.",
        "",
        "```",
        _help(parser),
        "```",
    ]
    for name, sub in _subparsers(parser).items():
        lines += ["", f"## perfsight {name}", "", "```", _help(sub), "```"]
        for action_name, action in _subparsers(sub).items():
            lines += ["", f"### perfsight {name} {action_name}", "", "```", _help(action), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
