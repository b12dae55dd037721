"""What ``perfsight analyze`` prints: a rich table, Markdown, or JSON (``analyze.schema.json``).
Rendering only — every number comes from the analysis result."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzers.shapes import ShapeStat
from collectors.input_report import InputReport
from perfsight.analysis import AnalysisResult, by_severity
from perfsight.models import SEVERITIES, Finding, iso, utcnow

SCHEMA_VERSION = 1
_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def report_json(
    result: AnalysisResult,
    *,
    top: int,
    since: datetime | None,
    fail_on: str | None,
    failed: bool,
) -> dict[str, Any]:
    findings = by_severity(result.findings)
    shapes = result.shapes.totals()
    firsts = [s.first_seen for s in shapes if s.first_seen is not None]
    lasts = [s.last_seen for s in shapes if s.last_seen is not None]
    severities: Counter[str] = Counter(f.severity for f in findings)
    return {
        "version": SCHEMA_VERSION,
        "generated_at": iso(utcnow()),
        "window": {
            "since": iso(since),
            "first_event": iso(min(firsts)) if firsts else None,
            "last_event": iso(max(lasts)) if lasts else None,
        },
        "summary": {
            "findings": len(findings),
            "by_severity": {name: severities[name] for name in SEVERITIES},
            "shapes": len(shapes),
            "events": result.input.events,
            "top": top,
            "findings_shown": min(top, len(findings)),
            "shapes_shown": min(top, len(shapes)),
            "fail_on": fail_on,
            "failed": failed,
        },
        "findings": [f.to_dict() for f in findings[:top]],
        "shapes": [s.to_dict() for s in shapes[:top]],
        "input": result.input.to_dict(),
        "queries_per_request": result.queries_per_request(),
        "requests": result.request_coverage(),
    }


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if value != int(value) else f"{int(value):,}"


def _main_plan(stat: ShapeStat) -> str:
    if not stat.plans:
        return "—"
    plan, _count = max(stat.plans.items(), key=lambda kv: kv[1])
    return plan if len(stat.plans) == 1 else f"{plan} (+{len(stat.plans) - 1} more)"


def render_table(result: AnalysisResult, *, top: int, console: Console) -> None:
    findings = by_severity(result.findings)
    shapes = result.shapes.totals()
    if findings:
        table = Table(title=f"Findings ({min(top, len(findings))} of {len(findings)})", expand=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("finding and fix", ratio=1, overflow="fold")
        for finding in findings[:top]:
            where = " · ".join(x for x in (finding.namespace, finding.endpoint) if x) or "—"
            cell = Text(f"{finding.kind} · {where}\n", style="bold")
            if finding.fingerprint:  # what tells two findings on one collection apart
                cell.append(finding.fingerprint + "\n", style="dim")
            cell.append(finding.summary + "\n")
            cell.append(finding.suggestion, style="green")
            table.add_row(Text(finding.severity, style=_SEVERITY_STYLE[finding.severity]), cell)
        console.print(table)
    else:
        console.print("No findings.")
    shape_table = Table(
        title=f"Query shapes by total time ({min(top, len(shapes))} of {len(shapes)})",
        caption="scan: documents examined per document returned",
        expand=True,
    )
    for name in ("count", "total ms", "avg", "p95", "max", "scan"):
        shape_table.add_column(name, justify="right", no_wrap=True)
    shape_table.add_column("namespace · plan · fingerprint", ratio=1, overflow="fold")
    for stat in shapes[:top]:
        cell = Text(f"{stat.namespace} · {_main_plan(stat)}\n", style="bold")
        cell.append(stat.fingerprint)
        shape_table.add_row(
            f"{stat.count:,}",
            _fmt(stat.total_millis),
            _fmt(stat.avg_millis),
            _fmt(stat.p95_millis),
            _fmt(stat.max_millis),
            _fmt(stat.scan_ratio),
            cell,
        )
    console.print(shape_table)
    per_request = result.queries_per_request()
    if per_request is not None:
        console.print(_queries_per_request_table(per_request))


def _queries_per_request_table(per_request: dict[str, Any]) -> Table:
    table = Table(
        title="Database queries per request (db_queries_per_request; the plan's target: 2–5)",
        expand=True,
    )
    table.add_column("endpoint", ratio=1, overflow="fold")
    for name in ("requests", "avg", "med", "p95", "max"):
        table.add_column(name, justify="right", no_wrap=True)
    rows = [*per_request["endpoints"].items(), ("all requests", per_request["overall"])]
    for endpoint, stats in rows:
        table.add_row(
            endpoint,
            f"{stats['requests']:,}",
            _fmt(stats["avg"]),
            _fmt(stats["med"]),
            _fmt(stats["p95"]),
            _fmt(stats["max"]),
        )
    return table


def input_summary(report: InputReport, *, limit: int = 5) -> list[str]:
    """Lines for stderr: what was read, and the first rejected lines with their reasons."""
    skipped = sum(report.skipped.values())
    unit, count = (
        ("documents", report.documents)
        if report.documents and not report.lines_read
        else ("lines", report.lines_read)
    )
    lines = [
        f"read {count:,} {unit} from {len(report.sources)} input"
        f"{'s' if len(report.sources) != 1 else ''}: {report.events:,} events, "
        f"{report.duplicates_merged:,} duplicates merged, {skipped:,} skipped, "
        f"{report.before_since:,} before --since, {report.rejected:,} rejected"
    ]
    lines.extend(report.notices)
    for issue in report.rejections[:limit]:
        lines.append(f"  rejected {issue.source}:{issue.line}: {issue.reason}")
    if report.rejected > limit:
        lines.append(f"  … and {report.rejected - limit:,} more (all in --format json)")
    for issue in report.partials[:limit]:
        lines.append(f"  partial {issue.source}:{issue.line}: {issue.reason}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    inner = _cell(text).replace("`", "'")
    return f"`{inner}`"


def render_markdown(result: AnalysisResult, *, top: int, since: datetime | None) -> str:
    findings = by_severity(result.findings)
    shapes = result.shapes.totals()
    out = ["# perfsight analyze", ""]
    firsts = [s.first_seen for s in shapes if s.first_seen is not None]
    lasts = [s.last_seen for s in shapes if s.last_seen is not None]
    if firsts:
        out.append(f"Events from {iso(min(firsts))} to {iso(max(lasts))}.")
    if since is not None:
        out.append(f"Only events since {iso(since)}.")
    out += ["", f"## Findings ({min(top, len(findings))} of {len(findings)})", ""]
    if findings:
        out += ["| severity | kind | namespace | finding | fix |", "|---|---|---|---|---|"]
        out += [_finding_row(f) for f in findings[:top]]
    else:
        out.append("No findings.")
    out += ["", f"## Query shapes by total time ({min(top, len(shapes))} of {len(shapes)})", ""]
    out += [
        "| count | total ms | avg ms | p95 ms | max ms | examined/returned | plan | namespace | "
        "fingerprint |",
        "|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for stat in shapes[:top]:
        out.append(
            f"| {stat.count:,} | {_fmt(stat.total_millis)} | {_fmt(stat.avg_millis)} | "
            f"{_fmt(stat.p95_millis)} | {_fmt(stat.max_millis)} | {_fmt(stat.scan_ratio)} | "
            f"{_cell(_main_plan(stat))} | {_cell(stat.namespace)} | {_code(stat.fingerprint)} |"
        )
    out += ["", "## Input", ""]
    out += [f"- {_cell(line.strip())}" for line in input_summary(result.input, limit=20)]
    return "\n".join(out) + "\n"


def _finding_row(finding: Finding) -> str:
    return (
        f"| {finding.severity} | {finding.kind} | {_cell(finding.namespace or '—')} | "
        f"{_cell(finding.summary)} | {_code(finding.suggestion)} |"
    )
