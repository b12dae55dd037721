"""The end-of-test summary in the terminal, k6's way: thresholds with ✓/✗ and the observed
value, the totals, a table per endpoint, and the verdict."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from loadruns.formatting import format_ms, observed_text
from loadruns.result import EndpointStats, RunResult
from loadruns.summary_backend import backend_lines, explanation_lines
from perfsight.durations import format_duration
from perfsight.thresholds import Outcome

_MARKS = {"pass": ("✓", "green"), "fail": ("✗", "bold red"), "not_measured": ("?", "yellow")}


def render(result: RunResult) -> RenderableType:
    parts: list[RenderableType] = [_header(result), Text()]
    if result.outcomes:
        parts += [Text("  THRESHOLDS", style="bold"), Text(), *_thresholds(result.outcomes)]
    parts += [Text("  TOTAL RESULTS", style="bold"), Text(), *_totals(result.total), Text()]
    if result.endpoints:
        parts += [_endpoint_table(result), Text()]
    parts += backend_lines(result)
    for warning in result.warnings:
        parts.append(Text(f"  ! {warning}", style="yellow"))
    parts.append(_verdict(result))
    return Group(*parts)


def print_summary(result: RunResult, console: Console) -> None:
    console.print(render(result))


def _header(result: RunResult) -> Text:
    plan = result.plan
    if plan.get("stages"):
        load = (
            f"{len(plan['stages'])} stages up to {max(s['target'] for s in plan['stages'])} users"
        )
    else:
        load = f"{plan.get('users')} users"
    text = Text(f"  perfsight loadcheck · run {result.run_id} · {result.target}\n", style="bold")
    text.append(f"  {load} · ran {format_duration(result.duration)}", style="dim")
    if result.tags:
        text.append(" · " + " ".join(f"{k}={v}" for k, v in sorted(result.tags.items())))
    return text


def _thresholds(outcomes: tuple[Outcome, ...]) -> list[RenderableType]:
    lines: list[RenderableType] = []
    for target, group in groupby(outcomes, key=lambda o: o.threshold.target):
        lines.append(Text(f"    {target}"))
        for outcome in group:
            mark, style = _MARKS[outcome.status]
            line = Text("    ")
            line.append(mark, style=style)
            line.append(f" '{outcome.threshold.expression}' ")
            if outcome.status == "not_measured":
                line.append(f"not measured — {outcome.detail or 'no source'}", style="yellow")
            else:
                line.append(observed_text(outcome), style=style if outcome.status == "fail" else "")
            lines.append(line)
            lines += explanation_lines(outcome)
        lines.append(Text())
    return lines


def _dotted(name: str, width: int = 28) -> str:
    return f"    {name}{'.' * max(2, width - len(name))}: "


def _totals(total: EndpointStats) -> list[RenderableType]:
    duration = (
        f"avg={format_ms(total.avg_ms)} min={format_ms(total.min_ms)} "
        f"med={format_ms(total.med_ms)} max={format_ms(total.max_ms)} "
        f"p(90)={format_ms(total.p90_ms)} p(95)={format_ms(total.p95_ms)} "
        f"p(99)={format_ms(total.p99_ms)}"
    )
    rate = total.failure_rate or 0.0
    rps = f"{total.rps:.2f}/s" if total.rps is not None else "-"
    return [
        Text(_dotted("http_req_duration") + duration),
        Text(
            _dotted("http_req_failed") + f"{rate * 100:.2f}%  {total.failures} out of "
            f"{total.requests}"
        ),
        Text(_dotted("http_reqs") + f"{total.requests}  {rps}"),
    ]


def _endpoint_table(result: RunResult) -> Table:
    table = Table(title="per endpoint (ms, exact to 1 ms)", title_justify="left", box=None)
    for column in ("endpoint", "reqs", "fails", "avg", "min", "med", "p90", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    table.add_column("req/s", justify="right")
    for stats in [*result.endpoints, result.total]:
        table.add_row(
            stats.endpoint,
            str(stats.requests),
            str(stats.failures),
            *(
                _ms(v)
                for v in (
                    stats.avg_ms,
                    stats.min_ms,
                    stats.med_ms,
                    stats.p90_ms,
                    stats.p95_ms,
                    stats.p99_ms,
                    stats.max_ms,
                )
            ),
            f"{stats.rps:.1f}" if stats.rps is not None else "-",
            style="bold" if stats is result.total else None,
        )
    return table


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _verdict(result: RunResult) -> Text:
    counts = result.counts()
    measured_note = f"; {counts['not_measured']} not measured" if counts["not_measured"] else ""
    if result.status == "aborted":
        return Text(
            f"  ■ ABORTED ({result.aborted_by}) — partial results{measured_note}",
            style="bold yellow",
        )
    if result.status == "failed":
        why = f" (aborted by {result.aborted_by})" if result.aborted_by else ""
        failed = f"{counts['fail']} of {len(result.outcomes)} thresholds failed"
        if not counts["fail"]:  # --strict: what nothing measured fails the check
            failed, measured_note = f"{counts['not_measured']} not measured (--strict)", ""
        return Text(f"  ✗ FAILED{why} — {failed}{measured_note}", style="bold red")
    if not result.outcomes:
        return Text("  ✓ PASSED — no thresholds to check", style="bold green")
    return Text(
        f"  ✓ PASSED — {counts['pass']} of {len(result.outcomes)} thresholds passed{measured_note}",
        style="bold green",
    )
