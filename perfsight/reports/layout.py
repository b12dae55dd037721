"""What a report section's ``data`` holds, so every renderer (Markdown, HTML, the dashboard)
draws any section the same way without knowing where it came from:

``{"summary": str, "tables": [Table], "charts": [Chart]}`` where a Table is
``{"title", "columns": [...], "rows": [[...], ...]}`` and a Chart is
``{"kind": "line" | "bar", "title", "unit", "x": [...], "series": {name: [values]}}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypedDict


class TableData(TypedDict):
    title: str
    columns: list[str]
    rows: list[list[Any]]


class ChartData(TypedDict):
    kind: str
    title: str
    unit: str
    x: list[Any]
    series: dict[str, list[float | None]]


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> TableData:
    return {"title": title, "columns": list(columns), "rows": [list(r) for r in rows]}


def chart(
    kind: str, title: str, unit: str, x: Sequence[Any], series: Mapping[str, Sequence[float | None]]
) -> ChartData:
    return {
        "kind": kind,
        "title": title,
        "unit": unit,
        "x": list(x),
        "series": {name: list(values) for name, values in series.items()},
    }


def iso_times(epochs: Sequence[float]) -> list[str]:
    """Chart x values: UTC times people can read."""
    return [datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S") for t in epochs]


def fmt(value: Any, unit: str = "") -> str:
    """A cell as people read it: no data is "—", ratios as percentages, big numbers grouped."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if unit == "ratio":
            return f"{value:.1%}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


STATUS_LABELS = {"pass": "✓ pass", "fail": "✗ fail", "not_measured": "– not measured"}
THRESHOLD_COLUMNS = ["", "threshold", "observed", "source, or why not measured"]


def observed_text(value: float | None, unit: str) -> str:
    """An observed threshold value with its unit: ``417 ms``, ``90.0%``, ``3``."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value:.1%}"
    text = fmt(float(value))
    return f"{text} {unit}" if unit in ("ms", "req/s") else text


def threshold_rows(outcomes: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """The thresholds table of a report, the same in every rendering."""
    return [
        [
            STATUS_LABELS.get(o["status"], o["status"]),
            o["name"],
            observed_text(o.get("observed"), o.get("unit", "")),
            o.get("source") or o.get("detail") or "",
        ]
        for o in outcomes
    ]


def window_text(start: datetime, end: datetime) -> str:
    shown = "%Y-%m-%d %H:%M:%S"
    return f"{start.astimezone(UTC).strftime(shown)} → {end.astimezone(UTC).strftime(shown)} UTC"
