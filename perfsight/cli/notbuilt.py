"""Subcommands whose feature is not built yet say so and exit 2; no placeholder output."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from perfsight.errors import NotBuiltError


def handler(command: str) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        raise NotBuiltError(f"'perfsight {command}' is not built yet in this version")

    return run
