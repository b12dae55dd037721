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
