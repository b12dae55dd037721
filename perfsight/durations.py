"""Durations as people write them on command lines and in config: ``500ms``, ``30s``, ``10m``,
``1h30m``, ``24h``, ``30d``."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(text: str | float | int) -> float:
    """Seconds in ``text``; a bare number is seconds. Raises ``ValueError`` with the input named."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"a duration cannot be negative: {text!r}")
        return float(text)
    value = text.strip().lower()
    if not value:
        raise ValueError("empty duration")
    try:
        seconds = float(value)
    except ValueError:
        pos = 0
        seconds = 0.0
        for match in _PART.finditer(value):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
            pos = match.end()
        if pos != len(value) or pos == 0:
            raise ValueError(
                f"not a duration: {text!r} (write e.g. 500ms, 30s, 10m, 1h30m, 24h, 30d)"
            ) from None
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {text!r}")
    return seconds


def duration_option(text: str, source: str, *, positive: bool = False) -> float:
    """Seconds in an option or setting; a bad one is a ``ConfigError`` naming ``source``."""
    from perfsight.errors import ConfigError

    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(str(exc), source=source) from exc
    if positive and seconds <= 0:
        raise ConfigError(f"must be more than 0, not {text!r}", source=source)
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest readable form: 0.25 → ``250ms``, 90 → ``1m30s``, 86400 → ``1d``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    remaining = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
