"""A report as Markdown: fix-first list at the top, then the diff, thresholds and sections."""

from __future__ import annotations

from typing import Any

from analyzers.ranking import fix_first, time_cost
from perfsight.reports.diff import ReportDiff
from perfsight.reports.layout import (
    STATUS_LABELS,
    THRESHOLD_COLUMNS,
    fmt,
    threshold_rows,
    window_text,
)
from perfsight.reports.model import Report


def _cell(value: Any) -> str:
    return fmt(value).replace("|", "\\|").replace("\n", " ")


def _table(columns: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render_markdown(report: Report, diff: ReportDiff | None) -> str:
    tags = ", ".join(f"{k}={v}" for k, v in report.tags.items()) or "none"
    out = [
        f"# perfsight report — {STATUS_LABELS.get(report.status, report.status)}",
        "",
        f"Window {window_text(report.window_start, report.window_end)} · tags: {tags}",
        "",
        "## Fix first",
        "",
    ]
    ranked = fix_first(report.findings)
    if ranked:
        for number, finding in enumerate(ranked, start=1):
            cost = time_cost(finding)
            spent = f" — {fmt(cost)} ms spent" if cost is not None else ""
            out.append(f"{number}. **{finding.summary}**{spent}. Fix: {finding.suggestion}")
    else:
        out.append("Nothing to fix: no open findings in this window.")
    out += ["", "## Changes since the previous report", ""]
    out += _diff_lines(diff)
    out += ["", "## Thresholds", ""]
    if report.outcomes:
        rows = threshold_rows(report.outcomes)
        out += _table(THRESHOLD_COLUMNS, rows)
    else:
        out.append("No thresholds evaluated.")
    for section in report.sections:
        out += ["", f"## {section.title}", ""]
        if not section.available:
            out.append(f"**Unavailable:** {section.reason}")
            continue
        if section.data.get("summary"):
            out.append(str(section.data["summary"]))
            out.append("")
        for tbl in section.data.get("tables", []):
            out += [f"**{tbl['title']}**", ""]
            out += _table(tbl["columns"], tbl["rows"]) if tbl["rows"] else ["(none)"]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _diff_lines(diff: ReportDiff | None) -> list[str]:
    if diff is None:
        return ["No previous report with the same tags: nothing to compare with."]
    if diff.empty:
        return ["No change since the previous report."]
    lines = []
    for finding in diff.new_findings:
        lines.append(f"- **new** {finding.kind}: {finding.summary}")
    for finding in diff.resolved_findings:
        lines.append(f"- **resolved** {finding.kind}: {finding.summary}")
    for change in (*diff.regressions, *diff.improvements):
        relative = f" ({change.relative:+.0%})" if change.relative is not None else ""
        lines.append(
            f"- **{change.verdict}** {change.name}: {fmt(change.before)} → "
            f"{fmt(change.after)} {change.unit}{relative}"
        )
    return lines
