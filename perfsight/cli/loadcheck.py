"""`perfsight loadcheck`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Run a load test against the target; pass or fail it against thresholds."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "loadcheck", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("loadcheck"))
    return parser
