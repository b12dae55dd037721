"""A load run in the generic report layout (``perfsight.reports.layout``: summary, tables,
charts), so the HTML report — and any other renderer of that layout — draws it: the load over
time, percentiles per endpoint, the baseline's differences, and one panel per backend source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loadruns.result import RunResult
from perfsight.reports.layout import chart, iso_times, table
from perfsight.store.runs import TOTAL

Section = tuple[str, str, dict[str, Any]]  # name, title, data


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


def prometheus_section(data: Mapping[str, Any], result: RunResult) -> Section:
    client = {s.endpoint: s for s in result.endpoints}
    rows, names, server, measured = [], [], [], []
    for e in data.get("endpoints", []):
        p95 = e["p95"]
        bounds = _bounds(p95.get("lower_ms"), p95.get("upper_ms"))
        mine = client.get(e["endpoint"])
        rows.append(
            [
                e["endpoint"],
                p95.get("ms"),
                bounds,
                mine.p95_ms if mine else None,
                e.get("rps"),
                e.get("error_ratio"),
            ]
        )
        if mine is not None:
            names.append(e["endpoint"])
            server.append(p95.get("ms"))
            measured.append(mine.p95_ms)
    return (
        "prometheus",
        "Server side (Prometheus)",
        {
            "summary": (
                "The target's own histograms over the run's window: the p95 lies inside its "
                "bucket whatever the interpolation says; the client's p95 adds the network and "
                "the load generator."
            ),
            "charts": [
                chart(
                    "bar",
                    "p95: server (Prometheus) and client (load generator)",
                    "ms",
                    names,
                    {"server": server, "client": measured},
                )
            ]
            if names
            else [],
            "tables": [
                table(
                    "Per endpoint",
                    [
                        "endpoint",
                        "server p95 (ms)",
                        "bucket",
                        "client p95 (ms)",
                        "req/s",
                        "5xx ratio",
                    ],
                    rows,
                ),
                _cache_table(data.get("caches", [])),
            ],
        },
    )


def _cache_table(caches: list[Mapping[str, Any]]) -> Any:
    rows = [[c["cache"], c["hit_ratio"], c["hits"], c["misses"], c["source"]] for c in caches]
    return table(
        "The app's cache counters", ["cache", "hit ratio", "hits", "misses", "source"], rows
    )


def redis_section(data: Mapping[str, Any], result: RunResult) -> Section:
    rows = [
        [
            i["instance"],
            i["hit_ratio"],
            i["hits"],
            i["misses"],
            i["ops_per_sec"],
            i["evicted_keys"],
            i["reset"],
        ]
        for i in data.get("instances", [])
    ]
    commands = [
        [i["instance"], c["command"], c["calls"], c["usec_per_call"], c["failed_calls"]]
        for i in data.get("instances", [])
        for c in i.get("top_commands", [])
    ]
    return (
        "redis",
        "Redis (INFO at the start and the end of the load)",
        {
            "summary": "Server-wide counters: every key lookup on the server counts, not only "
            "the app's cache. The app's own counters (above), when exported, are the truer "
            "cache hit ratio.",
            "tables": [
                table(
                    "Instances",
                    [
                        "instance",
                        "hit ratio",
                        "hits",
                        "misses",
                        "ops/s",
                        "evicted",
                        "window dropped",
                    ],
                    rows,
                ),
                table("Commands", ["instance", "command", "calls", "µs/call", "failed"], commands),
            ],
        },
    )


def profiler_section(data: Mapping[str, Any], result: RunResult) -> Section:
    latency = {s.endpoint: s for s in result.endpoints}
    db_time = data.get("db_time_by_endpoint") or {}
    rows = []
    for endpoint, q in (data.get("queries_per_request_by_endpoint") or {}).items():
        db = db_time.get(endpoint) or {}
        stats = latency.get(endpoint)
        per_request = db["db_ms"] / db["requests"] if db.get("requests") else None
        rows.append(
            [
                endpoint,
                q["requests"],
                q["avg"],
                q["p95"],
                q["max"],
                per_request,
                stats.avg_ms if stats else None,
            ]
        )
    counts = data.get("findings") or {}
    summary = (
        f"{data.get('events', 0):,} query events in the window, {data.get('requests', 0):,} "
        "requests by request id. Findings: "
        + ", ".join(f"{n} {kind}" for kind, n in counts.items())
    )
    if data.get("new_missing_indexes"):
        summary += f"; {len(data['new_missing_indexes'])} missing-index shapes new in this run"
    return (
        "profiler",
        "Database (MongoDB profiler)",
        {
            "summary": summary,
            "tables": [
                table(
                    "Queries and database time per request",
                    [
                        "endpoint",
                        "requests",
                        "queries avg",
                        "queries p95",
                        "queries max",
                        "DB ms/request",
                        "response avg (ms)",
                    ],
                    rows,
                )
            ],
        },
    )


def probe_section(data: Mapping[str, Any], result: RunResult) -> Section:
    rows = [
        [
            e["endpoint"],
            e["status"],
            e["items"],
            e["paging_param"],
            e["response_bytes"],
            e["content_encoding"],
            e["error"] or e["skipped"],
        ]
        for e in data.get("endpoints", [])
    ]
    return (
        "probe",
        "List endpoints (HTTP probe after the load)",
        {
            "tables": [
                table(
                    f"{data.get('requests', 0)} probe requests",
                    ["endpoint", "status", "items", "paging", "bytes", "encoding", "problem"],
                    rows,
                )
            ]
        },
    )


def processes_section(data: Mapping[str, Any], result: RunResult) -> Section:
    series = data.get("series") or []
    x = iso_times([p["t"] for p in series])
    machine = data.get("machine") or {}
    cores = machine.get("cpus") or 1
    lines = {
        "load generator": [p["generator_cpu_pct"] for p in series],
        "target": [p["target_cpu_pct"] for p in series],
        f"machine (all {cores} cores)": [
            None if p["machine_cpu_pct"] is None else p["machine_cpu_pct"] * cores for p in series
        ],
    }
    rows = []
    for role in ("generator", "target"):
        info = data.get(role) or {}
        if info.get("measured"):
            rows.append(
                [
                    role,
                    info["cpu_avg_pct"],
                    info["cpu_max_pct"],
                    info["rss_max_mib"],
                    ", ".join(map(str, info["pids"])),
                ]
            )
        else:
            rows.append([role, None, None, None, info.get("reason")])
    summary = (
        f"CPU in % of one core (a process using two cores shows 200 %). Machine: {cores} cores, "
        f"{machine.get('cpu_avg_pct')} % busy on average, load average {machine.get('load_avg')}."
    )
    if data.get("generator_saturated"):
        summary += " The load generator was saturated: the figures are its limit."
    return (
        "processes",
        "CPU and memory",
        {
            "summary": summary,
            "charts": [chart("line", "CPU over the run", "% of one core", x, lines)],
            "tables": [
                table(
                    "Processes",
                    ["role", "CPU avg %", "CPU max %", "RSS max (MiB)", "pids / why not measured"],
                    rows,
                )
            ],
        },
    )


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:+.1%}"


def _bounds(lower: float | None, upper: float | None) -> str | None:
    if lower is None or upper is None:
        return None
    return f"{lower:g}–{upper:g} ms"
