"""``--html F``: a load run as one self-contained HTML file — the verdict, each threshold with
its observed value and the findings that explain a failure, plotly charts of percentiles,
req/s and errors over time, the per-endpoint table, the baseline's differences and the backend
panels. plotly.js is embedded once (``perfsight.reports.html``), so the file opens anywhere,
offline."""

from __future__ import annotations

from html import escape
from pathlib import Path

from analyzers.ranking import fix_first
from loadruns.formatting import observed_text
from loadruns.report_sections import run_sections
from loadruns.result import RunResult
from perfsight.durations import format_duration
from perfsight.errors import PerfsightError
from perfsight.models import Finding
from perfsight.reports.html import STYLE, Charts, section_html
from perfsight.thresholds import Outcome

_MARK = {"pass": "✓", "fail": "✗", "not_measured": "?"}
_VERDICT = {"passed": "pass", "failed": "fail", "aborted": "not_measured"}
_EXTRA_STYLE = """
.attribution{color:#57606a;font-size:.85rem;margin:.2rem 0 0 1rem}
.warning{background:#fff8c5;padding:.3rem .8rem;border-left:4px solid #9a6700;margin:.3rem 0}
.attributed{border-left:4px solid #cf222e;padding-left:.5rem}
"""


def render(result: RunResult) -> str:
    charts = Charts()
    attributed = {
        fid
        for outcome in result.outcomes
        for blame in outcome.extra.get("attribution", [])
        for fid in blame.get("findings", [])
    }
    parts = [_header(result), *_warnings(result), "<h2>Thresholds</h2>", _thresholds(result)]
    parts += ["<h2>Findings of the run's window</h2>", _findings(result.findings, attributed)]
    for name, title, data in run_sections(result):
        parts += section_html(name, title, data, charts)
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>perfsight loadcheck {escape(result.run_id)}</title>"
        f"<style>{STYLE}{_EXTRA_STYLE}</style></head><body>{body}</body></html>\n"
    )


def write_html(result: RunResult, path: str) -> None:
    try:
        Path(path).write_text(render(result), encoding="utf-8")
    except OSError as exc:
        raise PerfsightError(f"cannot write the HTML report: {exc}", source=path) from exc


def _header(result: RunResult) -> str:
    verdict = _VERDICT.get(result.status, "not_measured")
    counts = result.counts()
    tags = " ".join(f"{k}={v}" for k, v in sorted(result.tags.items())) or "no tags"
    plan = result.plan
    users = plan.get("users") or max((s["target"] for s in plan.get("stages", [])), default="?")
    total = result.total
    return (
        f"<h1>perfsight loadcheck — <span class='{verdict}'>{escape(result.status.upper())}"
        "</span></h1>"
        f"<p>Run <code>{escape(result.run_id)}</code> against {escape(result.target)} · "
        f"{escape(str(users))} users · {escape(format_duration(result.duration))} · "
        f"{escape(tags)}{' · ' + escape(result.label) if result.label else ''}</p>"
        f"<p>{total.requests:,} requests, {total.failures:,} failed, "
        f"{total.rps or 0:,.1f} req/s, p95 {total.p95_ms or 0:,.0f} ms · thresholds: "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['not_measured']} not "
        "measured</p>"
    )


def _warnings(result: RunResult) -> list[str]:
    return [f"<p class='warning'>{escape(w)}</p>" for w in result.warnings]


def _thresholds(result: RunResult) -> str:
    if not result.outcomes:
        return "<p>No thresholds.</p>"
    rows = "".join(_threshold_row(o) for o in result.outcomes)
    head = "<tr><th></th><th>threshold</th><th>observed</th><th>source</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"


def _threshold_row(outcome: Outcome) -> str:
    explanation = ""
    if outcome.status == "not_measured":
        explanation = f"<div class='attribution'>not measured: {escape(outcome.detail or '')}</div>"
    for blame in outcome.extra.get("attribution", []):
        explanation += f"<div class='attribution'>↳ {escape(blame['text'])}</div>"
    for caveat in outcome.extra.get("caveats", []):
        explanation += f"<div class='attribution'>! {escape(caveat)}</div>"
    baseline = outcome.extra.get("baseline")
    if baseline:
        change = baseline.get("change")
        moved = f" ({change:+.1%})" if change is not None else ""
        explanation += (
            f"<div class='attribution'>baseline run {escape(baseline['run_id'])}: "
            f"{escape(str(baseline.get('before')))}{moved}</div>"
        )
    return (
        f"<tr><td class='{outcome.status}'>{_MARK[outcome.status]}</td>"
        f"<td>{escape(outcome.threshold.name)}{explanation}</td>"
        f"<td>{escape(observed_text(outcome))}</td><td>{escape(outcome.source or '—')}</td></tr>"
    )


def _findings(findings: tuple[Finding, ...], attributed: set[str]) -> str:
    if not findings:
        return "<p>No finding in this window.</p>"
    items = []
    for finding in fix_first(findings, limit=None):
        mark = " class='attributed'" if finding.id in attributed else ""
        where = f" · {escape(finding.endpoint)}" if finding.endpoint else ""
        items.append(
            f"<li{mark}><b>{escape(finding.kind)}</b> ({escape(finding.severity)}){where}: "
            f"{escape(finding.summary)}<br>Fix: <code>{escape(finding.suggestion)}</code></li>"
        )
    return "<ol class='fix'>" + "".join(items) + "</ol>"
