"""`perfsight config init|show|reference`: write the commented example, print the effective
settings with every secret redacted, print the reference."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from perfsight.cli.context import err, out, settings_from
from perfsight.config.docs import example_toml, reference_markdown, toml_key, toml_value
from perfsight.config.loader import config_path
from perfsight.config.redact import redacted_dump
from perfsight.errors import ConfigError


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "config", help="Write, show or document perfsight.toml.", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="Write a commented perfsight.toml with every setting.")
    init.add_argument("path", nargs="?", default="perfsight.toml", help="file to write")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(handler=_init)
    show = actions.add_parser("show", help="Print the effective settings, secrets redacted.")
    show.add_argument("--format", choices=("toml", "json"), default="toml")
    show.set_defaults(handler=_show)
    ref = actions.add_parser("reference", help="Print the settings reference (Markdown).")
    ref.set_defaults(handler=lambda _args: _print(reference_markdown()))
    return parser


def _print(text: str) -> int:
    out.print(text, markup=False, highlight=False, end="")
    return 0


def _init(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists() and not args.force:
        raise ConfigError("exists already; use --force to overwrite it", source=str(path))
    path.write_text(example_toml(), encoding="utf-8")
    err.print(f"wrote {path}: every setting, commented out with its default")
    return 0


def _show(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    data = redacted_dump(settings)
    file, _ = config_path(getattr(args, "config", None))
    if args.format == "json":
        return _print(json.dumps(data, indent=2) + "\n")
    header = f"# effective settings ({file if file.exists() else 'defaults'} + environment)\n"
    return _print(header + to_toml(data))


def to_toml(data: dict[str, Any]) -> str:
    """Settings as TOML: each top-level key a [table]; lists of tables as [[table.key]];
    other maps inline. Unset values (None) are left out, as TOML has no null."""
    lines: list[str] = []
    for table, body in data.items():
        if body is None:
            continue
        if not isinstance(body, dict):
            continue
        lines.append(f"[{toml_key(table)}]")
        arrays = []
        for key, value in body.items():
            if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
                arrays.append((key, value))
            elif value is not None:
                lines.append(f"{toml_key(key)} = {toml_value(_drop_none(value))}")
        for key, items in arrays:
            for item in items:
                lines.append("")
                lines.append(f"[[{toml_key(table)}.{toml_key(key)}]]")
                lines.extend(
                    f"{toml_key(k)} = {toml_value(_drop_none(v))}"
                    for k, v in item.items()
                    if v is not None
                )
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
