"""``perfsight report``: build the report of a window, diff it against the previous report
with the same tags, write HTML/Markdown/JSON, store it, and optionally notify a webhook."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from perfsight.config import Settings
from perfsight.durations import parse_duration
from perfsight.errors import InputError
from perfsight.models import iso
from perfsight.reports.builder import build_report
from perfsight.reports.diff import ReportDiff, diff_reports, diff_summary
from perfsight.reports.html import render_html
from perfsight.reports.markdown import render_markdown
from perfsight.reports.model import Report
from perfsight.reports.sections.base import SectionSpec
from perfsight.reports.webhook import post_summary
from perfsight.store import Store
from perfsight.store import findings as stored_findings
from perfsight.store import reports as stored_reports
from perfsight.thresholds import status_counts


@dataclass(frozen=True, slots=True)
class ReportResult:
    report: Report
    diff: ReportDiff | None
    paths: Mapping[str, str]
    webhook_error: str | None

    def summary(self) -> dict[str, Any]:
        """What the webhook receives and the CLI prints: the verdict, counts and where to read."""
        report = self.report
        return {
            "report": report.id,
            "status": report.status,
            "window_start": iso(report.window_start),
            "window_end": iso(report.window_end),
            "tags": dict(report.tags),
            "thresholds": status_counts(o["status"] for o in report.outcomes),
            "findings": len(report.findings),
            "unavailable": [s.name for s in report.sections if not s.available],
            "diff": diff_summary(self.diff) if self.diff else None,
            "paths": dict(self.paths),
        }


def write_files(report: Report, diff: ReportDiff | None, out_dir: Path) -> dict[str, str]:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the report folder: {exc}", source=str(out_dir)) from exc
    stamp = report.window_end.strftime("%Y%m%dT%H%M%SZ")
    document = {**report.to_dict(), "diff": diff.to_dict() if diff else None}
    contents = {
        "json": orjson.dumps(document, option=orjson.OPT_INDENT_2).decode(),
        "md": render_markdown(report, diff),
        "html": render_html(report, diff),
    }
    paths = {}
    for extension, text in contents.items():
        path = out_dir / f"perfsight-report-{stamp}.{extension}"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the report: {exc}", source=str(path)) from exc
        paths[extension] = str(path)
    return paths


def run_report(
    settings: Settings,
    store: Store,
    *,
    window: str = "24h",
    out_dir: str | None = None,
    tags: Mapping[str, str] | None = None,
    now: float | None = None,
    sections: Sequence[SectionSpec] | None = None,
) -> ReportResult:
    end = time.time() if now is None else now
    start = end - parse_duration(window)
    report = replace(
        build_report(settings, store, start=start, end=end, tags=tags, now=end, sections=sections),
        id=uuid.uuid4().hex,
    )
    previous = stored_reports.previous_report(store, report.tags)
    diff = diff_reports(Report.from_dict(previous.summary), report) if previous else None
    paths = write_files(report, diff, Path(out_dir or settings.schedule.report_dir))
    report_id = stored_reports.add_report(
        store,
        window_start=start,
        window_end=end,
        status=report.status,
        summary=report.to_dict(),
        tags=report.tags,
        paths=paths,
        now=end,
        report_id=report.id,
    )
    stored_findings.upsert_findings(store, report.findings, origin=f"report:{report_id}")
    result = ReportResult(report, diff, paths, None)
    webhook = settings.schedule.webhook_url
    if webhook:
        error = post_summary(
            webhook, result.summary(), timeout=parse_duration(settings.schedule.webhook_timeout)
        )
        result = ReportResult(report, diff, paths, error)
    return result
