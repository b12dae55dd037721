"""`perfsight dashboard`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt

SUMMARY = "Serve the Streamlit dashboard."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dashboard", help=SUMMARY, description=SUMMARY
    )
    parser.set_defaults(handler=notbuilt.handler("dashboard"))
    return parser
