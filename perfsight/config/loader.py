"""Read perfsight.toml and the environment into ``Settings``; explain every mistake precisely."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from perfsight.config.settings import ENV_DELIMITER, ENV_PREFIX, TABLES, Settings
from perfsight.errors import ConfigError

DEFAULT_PATH = Path("perfsight.toml")
CONFIG_ENV = "PERFSIGHT_CONFIG"


def config_path(explicit: str | Path | None = None) -> tuple[Path, bool]:
    """The config file to read and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit), True
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env), True
    return DEFAULT_PATH, False


def load_config(path: str | Path | None = None) -> Settings:
    """Settings from the file (defaults where it is absent) with environment overrides.

    Raises ``ConfigError`` naming the file, line, field and value of every mistake.
    """
    file, required = config_path(path)
    data: dict[str, Any] = {}
    text = ""
    if file.exists():
        try:
            text = file.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", source=str(file)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read: {exc}", source=str(file)) from exc
    elif required:
        raise ConfigError(
            "no such file (create one with 'perfsight config init')", source=str(file)
        )
    _check_env_tables(os.environ)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, file, text, data), source=str(file)) from None


def _check_env_tables(environ: Mapping[str, str]) -> None:
    # pydantic-settings ignores PERFSIGHT_<UNKNOWN>__<KEY>; a typo there must be an error too.
    for name in environ:
        upper = name.upper()
        if upper.startswith(ENV_PREFIX) and ENV_DELIMITER in upper:
            table = upper[len(ENV_PREFIX) :].split(ENV_DELIMITER)[0].lower()
            if table not in TABLES:
                raise ConfigError(
                    f"unknown table {table!r} in environment variable {name}; tables are "
                    f"{', '.join(TABLES)}",
                    source=name,
                )


def _explain(exc: ValidationError, file: Path, text: str, data: Mapping[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        field = ".".join(loc)
        value = error.get("input")
        origin = _env_origin(loc) or _file_origin(loc, file, text, data)
        if error["type"] == "extra_forbidden":
            lines.append(f"{origin}: unknown setting {field!r} (check the spelling)")
        else:
            lines.append(f"{origin}: {field} = {_show(value)}: {error['msg']}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _env_origin(loc: tuple[str, ...]) -> str | None:
    for depth in range(len(loc), 0, -1):
        name = ENV_PREFIX + ENV_DELIMITER.join(loc[:depth]).upper()
        for candidate in os.environ:
            if candidate.upper() == name:
                return f"environment variable {candidate}"
    return None


def _file_origin(loc: tuple[str, ...], file: Path, text: str, data: Mapping[str, Any]) -> str:
    if not text or not loc or loc[0] not in data:
        return f"{file} (default value)" if loc and loc[0] in TABLES else str(file)
    line = _line_of(text, loc)
    return f"{file}, line {line}" if line else str(file)


def _line_of(text: str, loc: tuple[str, ...]) -> int | None:
    """Best effort: the line of ``key`` inside ``[table]`` (or of the table header)."""
    table, key = loc[0], (loc[1] if len(loc) > 1 else None)
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}(\.[^\]]*)?\s*\]\]?\s*$")
    any_header = re.compile(r"^\s*\[")
    key_line = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=") if key else None
    in_table, table_line = False, None
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            in_table, table_line = True, table_line or number
            continue
        if any_header.match(line):
            in_table = False
            continue
        if in_table and key_line is not None and key_line.match(line):
            return number
    return table_line
