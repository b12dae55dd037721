"""The Reports page: the stored reports, and each one's content as the report model reads it
(the same sections, tables and charts as its HTML file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.views.timefmt import utc, when
from perfsight.reports.layout import fmt
from perfsight.reports.model import Report
from perfsight.store import Store
from perfsight.store.reports import ReportRecord, list_reports


@dataclass(frozen=True, slots=True)
class OpenedReport:
    record: ReportRecord
    report: Report | None  # None: the stored summary is not a report this version can read
    problem: str | None
    diff: Mapping[str, Any] | None


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


def open_report(record: ReportRecord) -> OpenedReport:
    summary = dict(record.summary)
    diff = summary.get("diff")
    try:
        report = Report.from_dict({"id": record.id, **summary})
    except (KeyError, TypeError, ValueError) as exc:
        return OpenedReport(record, None, f"{type(exc).__name__}: {exc}", None)
    return OpenedReport(record, report, None, diff if isinstance(diff, Mapping) else None)


def label(record: ReportRecord) -> str:
    tags = ", ".join(f"{k}={v}" for k, v in sorted(record.tags.items()))
    return f"{utc(record.created_at)} · {record.status}" + (f" · {tags}" if tags else "")


def diff_lines(diff: Mapping[str, Any]) -> list[str]:
    """The diff against the previous report, one line per new or resolved finding and per
    metric that moved, with the numbers."""
    lines = [f"new {f['kind']}: {f['summary']}" for f in diff.get("new_findings", [])]
    lines += [f"resolved {f['kind']}: {f['summary']}" for f in diff.get("resolved_findings", [])]
    for c in [*diff.get("regressions", []), *diff.get("improvements", [])]:
        relative = f" ({c['relative']:+.0%})" if c.get("relative") is not None else ""
        lines.append(
            f"{c['verdict']} {c['name']}: {fmt(c['before'])} → {fmt(c['after'])} "
            f"{c['unit']}{relative}"
        )
    return lines or ["No change since the previous report."]
