"""The backend's part of the end-of-test summary: why a threshold failed (the findings of the
same window on the same endpoint), the sources watched, the findings worth fixing first, the
generator's CPU and the differences with the baseline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from analyzers.ranking import fix_first
from loadruns.result import RunResult
from perfsight.thresholds import Outcome

FINDINGS_SHOWN = 8


def explanation_lines(outcome: Outcome) -> list[Text]:
    """Under a threshold: the attribution of a failure, its caveats, the baseline it compares."""
    lines = [
        Text(f"        ↳ {blame['text']}", style="red")
        for blame in outcome.extra.get("attribution", [])
    ]
    lines += [
        Text(f"        ! {caveat}", style="yellow") for caveat in outcome.extra.get("caveats", [])
    ]
    baseline = outcome.extra.get("baseline")
    if baseline and baseline.get("before") is not None:
        change = baseline.get("change")
        moved = f", {change:+.1%}" if change is not None else ""
        lines.append(
            Text(
                f"        baseline run {baseline['run_id']}: {baseline['before']:g}{moved}",
                style="dim",
            )
        )
    return lines


def backend_lines(result: RunResult) -> list[RenderableType]:
    backend = result.sections.get("backend")
    parts: list[RenderableType] = []
    if backend:
        parts += [Text("  BACKEND", style="bold"), Text()]
        parts += _sources(backend.get("sources") or {})
        parts += _processes(backend.get("processes") or {})
        parts.append(Text())
    if result.findings:
        parts += [Text("  FINDINGS (fix first)", style="bold"), Text()]
        for finding in fix_first(result.findings, limit=FINDINGS_SHOWN):
            parts.append(Text(f"    [{finding.severity}] {finding.summary}"))
        hidden = len(result.findings) - FINDINGS_SHOWN
        if hidden > 0:
            parts.append(Text(f"    … and {hidden} more (--json, --html)", style="dim"))
        parts.append(Text())
    if result.baseline is not None:
        parts += [_baseline_table(result.baseline), Text()]
    return parts


def _sources(sources: Mapping[str, str]) -> list[Text]:
    lines = []
    for name, status in sources.items():
        style = "green" if status == "measured" else "yellow"
        lines.append(Text(f"    {name:<11}{status}", style=style))
    return lines


def _processes(data: Mapping[str, Any]) -> list[Text]:
    lines = []
    for role in ("generator", "target"):
        info = data.get(role) or {}
        if info.get("measured"):
            lines.append(
                Text(
                    f"    {role + ' CPU':<15}avg {info['cpu_avg_pct']}% · max "
                    f"{info['cpu_max_pct']}% of a core · RSS ≤ {info['rss_max_mib']} MiB"
                )
            )
    return lines


def _baseline_table(baseline: Mapping[str, Any]) -> Table:
    table = Table(
        title=f"compared with run {baseline['run_id']} (baseline)",
        title_justify="left",
        box=None,
    )
    for column in ("endpoint", "p95 before", "p95 now", "change", "req/s before", "req/s now"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    table.add_column("change", justify="right")
    for row in baseline.get("differences", []):
        table.add_row(
            row["endpoint"],
            _num(row["p95_before"]),
            _num(row["p95_now"]),
            _pct(row["p95_change"]),
            _num(row["rps_before"]),
            _num(row["rps_now"]),
            _pct(row["rps_change"]),
        )
    return table


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"
