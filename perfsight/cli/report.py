"""`perfsight report`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Write an analysis report for a window; diff it against the previous one."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("report"))
    return parser
