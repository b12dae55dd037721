from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analyzers.ranking import fix_first
from perfsight.models import Finding
from perfsight.reports.diff import diff_reports
from perfsight.reports.html import render_html
from perfsight.reports.layout import chart, table
from perfsight.reports.markdown import render_markdown
from perfsight.reports.model import MetricValue, Report, Section

T0 = datetime(2026, 11, 24, tzinfo=UTC)


def _finding(kind: str, ns: str, total_ms: float | None, severity: str = "warning") -> Finding:
    evidence = {"count": 3} if total_ms is None else {"count": 3, "total_ms": total_ms}
    return Finding(
        kind=kind,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        summary=f"{kind} on {ns}",
        suggestion=f"fix {ns}",
        namespace=ns,
        fingerprint=f"db.{ns}.find()",
        evidence=evidence,
        index=(("a", 1),) if kind == "missing_index" else None,
    )


def _report(findings: list[Finding], p95: float, hit: float, *, day: int) -> Report:
    return Report(
        id=f"r{day}",
        window_start=T0 + timedelta(days=day),
        window_end=T0 + timedelta(days=day + 1),
        created_at=T0 + timedelta(days=day + 1),
        tags={"env": "prod"},
        status="fail",
        outcomes=[{"name": "http_req_duration p(95)<500", "status": "fail", "observed": p95}],
        findings=findings,
        metrics=[
            MetricValue("http_req_duration{endpoint:GET /a} p95", p95, "ms", "prometheus", "lower"),
            MetricValue("cache_hit_ratio", hit, "ratio", "prometheus", "higher"),
            MetricValue("http_reqs rate", 120.0 * day + 1, "req/s", "prometheus", None),
        ],
        sections=[
            Section(
                "latency",
                "Latency",
                True,
                data={
                    "summary": "p95 per endpoint",
                    "tables": [table("Endpoints", ["endpoint", "p95 ms"], [["GET /a", p95]])],
                    "charts": [chart("bar", "p95", "ms", ["GET /a"], {"p95": [p95]})],
                },
            ),
            Section("cache", "Cache", False, reason="Redis at redis://h:6379: connection refused"),
        ],
    )


def test_diff_keys_findings_by_id_and_reports_numbers() -> None:
    kept = _finding("missing_index", "travel.leads", 900.0)
    resolved = _finding("n_plus_one", "travel.itinerary_days", 5000.0)
    new = _finding("unpaginated_query", "travel.bookings", 100.0)
    previous = _report([kept, resolved], p95=400.0, hit=0.80, day=0)
    current = _report([kept, new], p95=620.0, hit=0.85, day=1)
    diff = diff_reports(previous, current)
    assert [f.id for f in diff.new_findings] == [new.id]
    assert [f.id for f in diff.resolved_findings] == [resolved.id]
    [regression] = diff.regressions
    assert (regression.name, regression.before, regression.after) == (
        "http_req_duration{endpoint:GET /a} p95",
        400.0,
        620.0,
    )
    assert abs(regression.relative - 0.55) < 1e-9  # type: ignore[operator]
    [improvement] = diff.improvements
    assert improvement.name == "cache_hit_ratio" and improvement.change > 0
    # Throughput in a passive window is information, never a regression.
    assert all(c.name != "http_reqs rate" for c in (*diff.regressions, *diff.improvements))


def test_small_moves_are_not_news() -> None:
    previous = _report([], p95=400.0, hit=0.80, day=0)
    current = _report([], p95=410.0, hit=0.81, day=1)
    assert diff_reports(previous, current).empty


def test_fix_first_ranks_by_time_cost_then_severity() -> None:
    cheap = _finding("missing_index", "a.cheap", 10.0)
    costly = _finding("n_plus_one", "a.costly", 9000.0)
    unmeasured_critical = _finding("unpaginated_query", "a.x", None, "critical")
    unmeasured_info = _finding("unpaginated_query", "a.y", None, "info")
    ranked = fix_first([unmeasured_info, cheap, unmeasured_critical, costly])
    assert ranked == [costly, cheap, unmeasured_critical, unmeasured_info]
    assert fix_first([cheap, costly], limit=1) == [costly]


def test_report_round_trip_and_renderings() -> None:
    previous = _report([_finding("n_plus_one", "travel.days", 5000.0)], 400.0, 0.8, day=0)
    current = _report([_finding("missing_index", "travel.leads", 900.0)], 620.0, 0.85, day=1)
    assert Report.from_dict(current.to_dict()) == current
    diff = diff_reports(previous, current)
    markdown = render_markdown(current, diff)
    assert markdown.index("## Fix first") < markdown.index("## Changes since")
    assert "1. **missing_index on travel.leads** — 900 ms spent. Fix: fix travel.leads" in markdown
    assert "**resolved** n_plus_one: n_plus_one on travel.days" in markdown
    assert "**regression** http_req_duration{endpoint:GET /a} p95: 400 → 620 ms (+55%)" in markdown
    assert "**Unavailable:** Redis at redis://h:6379: connection refused" in markdown
    assert "| GET /a | 620 |" in markdown
    page = render_html(current, diff)
    assert "Plotly.newPlot" in page
    assert page.count("plotly.js v") == 1  # the library embedded once, whatever the charts
    assert "Unavailable: Redis at redis://h:6379: connection refused" in page
    assert 'id="chart-1"' in page
    assert "<script src=" not in page  # self-contained: nothing loaded from elsewhere
    assert render_markdown(current, None).count("No previous report") == 1
