"""The Reports page: the stored reports, and each one's content as the report model reads it
(the same sections, tables and charts as its HTML file), with its diff against the previous
report of the same tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.views.timefmt import utc, when
from perfsight.reports.diff import ReportDiff, diff_reports
from perfsight.reports.layout import fmt
from perfsight.reports.model import Report
from perfsight.store import Store
from perfsight.store.reports import ReportRecord, list_reports, previous_report


@dataclass(frozen=True, slots=True)
class OpenedReport:
    record: ReportRecord
    report: Report | None  # None: the stored summary is not a report this version can read
    problem: str | None
    diff: ReportDiff | None  # None: no earlier report with the same tags


def report_rows(records: list[ReportRecord], now: float | None = None) -> list[dict[str, Any]]:
    return [
        {
            "report": r.id,
            "created": when(r.created_at, now),
            "window": f"{utc(r.window_start)} → {utc(r.window_end)}",
            "status": r.status,
            "tags": ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items())),
            "findings": len(r.summary.get("findings") or []),
            "files": ", ".join(sorted(r.paths)),
        }
        for r in records
    ]


def recent(store: Store, limit: int = 100) -> list[ReportRecord]:
    return list_reports(store, limit=limit)


def _read(record: ReportRecord) -> Report:
    return Report.from_dict({**record.summary, "id": record.id})


def open_report(store: Store, record: ReportRecord) -> OpenedReport:
    try:
        report = _read(record)
    except (KeyError, TypeError, ValueError) as exc:
        return OpenedReport(record, None, f"{type(exc).__name__}: {exc}", None)
    previous = previous_report(store, record.tags, before=record.created_at)
    diff = None
    if previous is not None:
        try:
            diff = diff_reports(_read(previous), report)
        except (KeyError, TypeError, ValueError):
            diff = None  # an older report this version cannot read: nothing to compare with
    return OpenedReport(record, report, None, diff)


def label(record: ReportRecord) -> str:
    tags = ", ".join(f"{k}={v}" for k, v in sorted(record.tags.items()))
    return f"{utc(record.created_at)} · {record.status}" + (f" · {tags}" if tags else "")


def diff_lines(diff: ReportDiff) -> list[str]:
    """One line per new or resolved finding and per metric that moved, with the numbers."""
    lines = [f"new {f.kind}: {f.summary}" for f in diff.new_findings]
    lines += [f"resolved {f.kind}: {f.summary}" for f in diff.resolved_findings]
    for c in (*diff.regressions, *diff.improvements):
        relative = f" ({c.relative:+.0%})" if c.relative is not None else ""
        unit = "" if c.unit == "ratio" else f" {c.unit}"
        before, after = fmt(c.before, c.unit), fmt(c.after, c.unit)
        lines.append(f"{c.verdict} {c.name}: {before} → {after}{unit}{relative}")
    return lines or ["No change since the previous report."]
