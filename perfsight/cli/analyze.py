"""`perfsight analyze`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Analyse MongoDB query events (logs, profile files, live profiler); report findings."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "analyze", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("analyze"))
    return parser
