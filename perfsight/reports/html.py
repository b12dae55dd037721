"""A report as one self-contained HTML file: plotly.js embedded once, every chart inline."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from analyzers.ranking import fix_first, time_cost
from perfsight.models import iso
from perfsight.reports.diff import ReportDiff
from perfsight.reports.layout import (
    STATUS_LABELS,
    THRESHOLD_COLUMNS,
    ChartData,
    fmt,
    threshold_rows,
    window_text,
)
from perfsight.reports.model import Report

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2430}
h1 .pass{color:#1a7f37}h1 .fail{color:#cf222e}h1 .not_measured{color:#9a6700}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
.unavailable{background:#fff8c5;padding:.5rem 1rem;border-left:4px solid #9a6700}
.fix li{margin:.4rem 0}code{background:#f6f8fa;padding:0 .2rem}
.regression{color:#cf222e}.improvement{color:#1a7f37}.new{color:#cf222e}.resolved{color:#1a7f37}
"""


def table_html(columns: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(spec: ChartData) -> go.Figure:
    figure = go.Figure()
    for name, values in spec["series"].items():
        if spec["kind"] == "bar":
            figure.add_trace(go.Bar(x=spec["x"], y=values, name=name))
        else:
            figure.add_trace(go.Scatter(x=spec["x"], y=values, name=name, mode="lines+markers"))
    figure.update_layout(
        title=spec["title"], yaxis_title=spec["unit"], height=360, margin={"t": 50, "b": 40}
    )
    return figure


class Charts:
    """Embeds plotly.js with the first chart only, so the file stays self-contained and small."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, spec: ChartData) -> str:
        self.count += 1
        return pio.to_html(
            figure(spec),
            full_html=False,
            include_plotlyjs=self.count == 1,
            div_id=f"chart-{self.count}",
            config={"displaylogo": False},
        )


def section_html(name: str, title: str, data: Mapping[str, Any], charts: Charts) -> list[str]:
    """A section in the generic layout (``perfsight.reports.layout``): summary, charts, tables."""
    parts = [f"<h2 id='{escape(name)}'>{escape(title)}</h2>"]
    if data.get("summary"):
        parts.append(f"<p>{escape(str(data['summary']))}</p>")
    for spec in data.get("charts", []):
        parts.append(charts.html(spec))
    for tbl in data.get("tables", []):
        parts.append(f"<h3>{escape(tbl['title'])}</h3>")
        parts.append(table_html(tbl["columns"], tbl["rows"]) if tbl["rows"] else "<p>(none)</p>")
    return parts


def render_html(report: Report, diff: ReportDiff | None) -> str:
    charts = Charts()
    tags = ", ".join(f"{k}={v}" for k, v in report.tags.items()) or "none"
    parts = [
        f"<h1>perfsight report — <span class='{escape(report.status)}'>"
        f"{escape(STATUS_LABELS.get(report.status, report.status))}</span></h1>",
        f"<p>Window {escape(window_text(report.window_start, report.window_end))} · "
        f"tags: {escape(tags)}</p>",
        "<h2>Fix first</h2>",
        _fix_first(report),
        "<h2>Changes since the previous report</h2>",
        _diff(diff),
        "<h2>Thresholds</h2>",
    ]
    if report.outcomes:
        rows = threshold_rows(report.outcomes)
        parts.append(table_html(THRESHOLD_COLUMNS, rows))
    else:
        parts.append("<p>No thresholds evaluated.</p>")
    for section in report.sections:
        if not section.available:
            parts.append(f"<h2 id='{escape(section.name)}'>{escape(section.title)}</h2>")
            parts.append(f"<p class='unavailable'>Unavailable: {escape(section.reason or '')}</p>")
            continue
        parts += section_html(section.name, section.title, section.data, charts)
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>perfsight report {escape(iso(report.window_end) or '')}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>\n"
    )


def _fix_first(report: Report) -> str:
    ranked = fix_first(report.findings)
    if not ranked:
        return "<p>Nothing to fix: no open findings in this window.</p>"
    items = []
    for finding in ranked:
        cost = time_cost(finding)
        spent = f" — {escape(fmt(cost))} ms spent" if cost is not None else ""
        items.append(
            f"<li><b>{escape(finding.summary)}</b>{spent}<br>"
            f"Fix: <code>{escape(finding.suggestion)}</code></li>"
        )
    return "<ol class='fix'>" + "".join(items) + "</ol>"


def _diff(diff: ReportDiff | None) -> str:
    if diff is None:
        return "<p>No previous report with the same tags: nothing to compare with.</p>"
    if diff.empty:
        return "<p>No change since the previous report.</p>"
    items = [
        f"<li class='new'>new {escape(f.kind)}: {escape(f.summary)}</li>" for f in diff.new_findings
    ]
    items += [
        f"<li class='resolved'>resolved {escape(f.kind)}: {escape(f.summary)}</li>"
        for f in diff.resolved_findings
    ]
    for change in (*diff.regressions, *diff.improvements):
        relative = f" ({change.relative:+.0%})" if change.relative is not None else ""
        items.append(
            f"<li class='{change.verdict}'>{change.verdict} {escape(change.name)}: "
            f"{escape(fmt(change.before))} → {escape(fmt(change.after))} "
            f"{escape(change.unit)}{relative}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"
