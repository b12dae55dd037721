"""The backend panels of a load run's report, in the generic report layout: the server-side
view (Prometheus), Redis, the database (profiler), the HTTP probe, and CPU and memory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loadruns.result import RunResult
from perfsight.reports.layout import chart, iso_times, table

Section = tuple[str, str, dict[str, Any]]  # name, title, data


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


def _bounds(lower: float | None, upper: float | None) -> str | None:
    if lower is None or upper is None:
        return None
    return f"{lower:g}–{upper:g} ms"
