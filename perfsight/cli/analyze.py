"""`perfsight analyze`: not built yet, except its HTTP probe (``--probe``)."""

from __future__ import annotations

import argparse
from typing import Any

from perfsight.cli import notbuilt, probe

SUMMARY = "Analyse MongoDB query events (logs, profile files, live profiler); report findings."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "analyze", help=SUMMARY, description=SUMMARY
    )
    probe.add_arguments(parser)  # issue 6: the HTTP probe's options
    parser.set_defaults(handler=_handle)
    return parser


def _handle(args: argparse.Namespace) -> int:
    if args.probe:  # issue 6 hook: the HTTP probe runs on its own until analyze is built
        return probe.run(args)
    return notbuilt.handler("analyze")(args)
