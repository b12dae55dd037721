"""`perfsight collect`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Sample every configured source (profiler, Redis, Prometheus) into the store."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "collect", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("collect"))
    return parser
