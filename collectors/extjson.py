"""Reading typed values out of documents parsed by orjson: plain JSON, MongoDB Extended JSON
(canonical or relaxed: ``{"$date": …}``, ``{"$numberLong": "…"}``) or the native Python values
pymongo returns from a live server.

The common forms are decoded inline (this runs for every event); anything rarer goes through
``bson.json_util``, the reference implementation of Extended JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import json_util
from bson.json_util import JSONOptions

_JSON_OPTIONS = JSONOptions(tz_aware=True, tzinfo=UTC)
_NUMBER_KEYS = ("$numberLong", "$numberInt", "$numberDouble", "$numberDecimal")


def to_datetime(value: Any) -> datetime:
    """A timezone-aware UTC datetime from ``{"$date": …}``, an ISO string, epoch milliseconds
    or a datetime. Raises ``ValueError`` naming what it got."""
    if type(value) is dict and "$date" in value:
        inner = value["$date"]
        if type(inner) is str:
            return _iso(inner)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return datetime.fromtimestamp(inner / 1000, UTC)
        return _via_json_util(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str):
        return _iso(value)
    raise ValueError(f"not a date: {_short(value)}")


def _iso(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {_short(text)}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    if parsed.utcoffset():
        return parsed.astimezone(UTC)
    return parsed


def _via_json_util(value: Mapping[str, Any]) -> datetime:
    try:
        parsed = json_util.loads(orjson.dumps(value), json_options=_JSON_OPTIONS)
    except Exception as exc:  # json_util raises several types for bad wrappers
        raise ValueError(f"not a date: {_short(value)}") from exc
    if isinstance(parsed, datetime):
        return parsed.astimezone(UTC)
    raise ValueError(f"not a date: {_short(value)}")


def to_int(value: Any) -> int | None:
    """An integer counter: int, float, ``{"$numberLong": "…"}``/``$numberInt``/…; None stays
    None. Raises ``ValueError`` for anything else (a string, a bool, a list)."""
    if type(value) is int or value is None:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = _wrapped_number(value)
    try:
        return int(text)  # exact, also beyond 2**53
    except (TypeError, ValueError):
        pass
    try:
        return int(float(text))  # "$numberDouble": "1.5"
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"not a number: {_short(value)}") from None


def to_float(value: Any) -> float:
    """A duration or size as float; raises ``ValueError`` when it is not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(_wrapped_number(value))
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {_short(value)}") from None


def _wrapped_number(value: Any) -> Any:
    """The text inside ``{"$numberLong": "…"}`` and its kin; ``ValueError`` for non-numbers."""
    if isinstance(value, Mapping):
        for key in _NUMBER_KEYS:
            if key in value:
                return value[key]
    raise ValueError(f"not a number: {_short(value)}")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
