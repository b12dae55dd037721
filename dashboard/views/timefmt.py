"""Times as a dashboard shows them: UTC wall clock and "how long ago"."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from perfsight.durations import format_duration


def utc(ts: float | None) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def ago(ts: float | None, now: float | None = None) -> str:
    if ts is None:
        return "never"
    delta = (time.time() if now is None else now) - ts
    if delta < 0:
        return f"in {format_duration(-delta)}"
    if delta < 1:
        return "just now"
    return f"{format_duration(float(int(delta)))} ago"


def when(ts: float | None, now: float | None = None) -> str:
    """``2026-05-01 10:00:00 UTC (3m ago)``."""
    return "never" if ts is None else f"{utc(ts)} ({ago(ts, now)})"
