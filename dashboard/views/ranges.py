"""The time ranges a page offers, and the (since, until) a choice means."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

PRESETS: dict[str, float] = {
    "15 minutes": 900.0,
    "1 hour": 3600.0,
    "6 hours": 6 * 3600.0,
    "24 hours": 86400.0,
    "7 days": 7 * 86400.0,
    "30 days": 30 * 86400.0,
}
CUSTOM = "custom dates"


def preset_range(name: str, now: float) -> tuple[float, float]:
    return now - PRESETS[name], now


def date_range(start: date, end: date) -> tuple[float, float]:
    """Whole UTC days from ``start`` through ``end`` (in either order)."""
    first, last = min(start, end), max(start, end)
    since = datetime.combine(first, time.min, UTC).timestamp()
    until = (datetime.combine(last, time.min, UTC) + timedelta(days=1)).timestamp()
    return since, until
