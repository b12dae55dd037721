"""`perfsight schedule`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Run the jobs of [schedule] (reports, collection, load checks) until stopped."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schedule", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("schedule"))
    return parser
