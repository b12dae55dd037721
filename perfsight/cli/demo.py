"""`perfsight demo`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Start the sample travel-CRM API with Redis, Prometheus and the dashboard."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("demo"))
    return parser
