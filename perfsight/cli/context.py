"""What every subcommand needs: its settings, the store, and consoles for output and messages."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console

from perfsight.config import Settings, load_config
from perfsight.errors import ConfigError

if TYPE_CHECKING:  # SQLAlchemy is imported by the commands that open a store, not by --help
    from perfsight.store import Store

# Results go to stdout (pipeable); progress, warnings and errors to stderr.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def say(text: str) -> None:
    """A message on stderr, printed as it is (no rich markup: it may name a [table])."""
    err.print(text, markup=False, highlight=False)


def settings_from(args: argparse.Namespace) -> Settings:
    return load_config(getattr(args, "config", None))


def open_store(settings: Settings) -> Store:
    from perfsight.store import Store

    return Store(settings.store.url)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="perfsight.toml to read (default: $PERFSIGHT_CONFIG, else ./perfsight.toml)",
    )


def parse_tags(items: list[str], option: str = "--tag") -> dict[str, str]:
    """``["env=staging", "commit=abc"]`` → ``{"env": "staging", "commit": "abc"}``."""
    tags = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{item!r}: write KEY=VALUE, e.g. environment=staging", source=option)
        tags[key.strip()] = value.strip()
    return tags
