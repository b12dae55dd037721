"""Typed values shared by several tables, validated where they are read."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from perfsight.durations import parse_duration


def _duration(value: str) -> str:
    parse_duration(value)  # raises ValueError naming the value
    return value


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
    return value


def _http_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("must be an http:// or https:// URL")
    return value


def redis_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^(redis|rediss|unix)://\S+", value):
        raise ValueError("must be a redis://, rediss:// or unix:// URL")
    return value


Duration = Annotated[str, AfterValidator(_duration)]
"""A duration as written in config: ``500ms``, ``30s``, ``10m``, ``24h``, ``30d``."""
Regex = Annotated[str | None, AfterValidator(_regex)]
HttpUrl = Annotated[str | None, AfterValidator(_http_url)]
RedisUrl = Annotated[str | None, AfterValidator(redis_url)]
