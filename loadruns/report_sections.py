"""A load run in the generic report layout (``perfsight.reports.layout``: summary, tables,
charts), so the HTML report — and any other renderer of that layout — draws it: the load over
time, percentiles per endpoint, the baseline's differences, and one panel per backend source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loadruns.report_backend import (
    Section,
    probe_section,
    processes_section,
    profiler_section,
    prometheus_section,
    redis_section,
)
from loadruns.result import RunResult
from perfsight.reports.layout import chart, iso_times, table
from perfsight.store.runs import TOTAL


def run_sections(result: RunResult) -> list[Section]:
    backend = result.sections.get("backend") or {}
    sections = [load_over_time(result), per_endpoint(result)]
    if result.baseline is not None:
        sections.append(baseline_section(result.baseline))
    builders = (
        ("prometheus", prometheus_section),
        ("redis", redis_section),
        ("profiler", profiler_section),
        ("probe", probe_section),
        ("processes", processes_section),
    )
    for name, build in builders:
        if name in backend:
            sections.append(build(backend[name], result))
    sources = backend.get("sources") or {}
    if sources:
        rows = [[name, status] for name, status in sources.items()]
        sections.append(
            (
                "sources",
                "Backend sources",
                {
                    "tables": [
                        table("What watched the backend during the run", ["source", "status"], rows)
                    ]
                },
            )
        )
    return sections


def load_over_time(result: RunResult) -> Section:
    seconds = sorted({row.ts for row in result.series})
    x = iso_times(seconds)
    by_key = {(row.ts, row.endpoint): row for row in result.series}
    endpoints = sorted({row.endpoint for row in result.series} - {TOTAL})

    def values(endpoint: str, field: str) -> list[float | None]:
        out: list[float | None] = []
        for second in seconds:
            row = by_key.get((second, endpoint))
            out.append(getattr(row, field) if row is not None else None)
        return out

    p95 = {"all requests": values(TOTAL, "p95_ms")}
    p95.update({endpoint: values(endpoint, "p95_ms") for endpoint in endpoints})
    return (
        "load",
        "Load over time",
        {
            "summary": "Per second of completion, from every request's exact response time.",
            "charts": [
                chart("line", "p95 response time per second", "ms", x, p95),
                chart(
                    "line",
                    "Requests per second",
                    "req/s",
                    x,
                    {"requests": values(TOTAL, "requests"), "users": values(TOTAL, "users")},
                ),
                chart(
                    "bar",
                    "Failed requests per second",
                    "requests",
                    x,
                    {"failures": values(TOTAL, "failures")},
                ),
            ],
        },
    )


def per_endpoint(result: RunResult) -> Section:
    stats = [*result.endpoints, result.total]
    columns = [
        "endpoint",
        "requests",
        "failures",
        "avg",
        "min",
        "med",
        "p90",
        "p95",
        "p99",
        "max",
        "req/s",
    ]
    rows = [
        [
            s.endpoint,
            s.requests,
            s.failures,
            s.avg_ms,
            s.min_ms,
            s.med_ms,
            s.p90_ms,
            s.p95_ms,
            s.p99_ms,
            s.max_ms,
            s.rps,
        ]
        for s in stats
    ]
    names = [s.endpoint for s in result.endpoints]
    percentiles = {
        label: [getattr(s, field) for s in result.endpoints]
        for label, field in (
            ("p50", "med_ms"),
            ("p90", "p90_ms"),
            ("p95", "p95_ms"),
            ("p99", "p99_ms"),
        )
    }
    return (
        "endpoints",
        "Per endpoint",
        {
            "summary": "Milliseconds, exact to 1 ms (nearest-rank percentiles of every request).",
            "charts": [chart("bar", "Percentiles per endpoint", "ms", names, percentiles)],
            "tables": [table("Response times (ms) and throughput", columns, rows)],
        },
    )


def baseline_section(baseline: Mapping[str, Any]) -> Section:
    rows = [
        [
            d["endpoint"],
            d["p95_before"],
            d["p95_now"],
            _pct(d["p95_change"]),
            d["rps_before"],
            d["rps_now"],
            _pct(d["rps_change"]),
            d["status"],
        ]
        for d in baseline.get("differences", [])
    ]
    title = f"Compared with run {baseline['run_id']}"
    if baseline.get("label"):
        title += f" ({baseline['label']})"
    return (
        "baseline",
        "Baseline",
        {
            "summary": (
                f"{title}, started {baseline.get('started_at')}. Rules: p95 per endpoint at most "
                f"{baseline['p95_tolerance']:.0%} worse, req/s at most "
                f"{baseline['rps_tolerance']:.0%} lower."
            ),
            "tables": [
                table(
                    "Differences",
                    [
                        "endpoint",
                        "p95 before",
                        "p95 now",
                        "change",
                        "req/s before",
                        "req/s now",
                        "change",
                        "",
                    ],
                    rows,
                )
            ],
        },
    )


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:+.1%}"
