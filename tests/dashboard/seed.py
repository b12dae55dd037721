"""Seeded data for the dashboard tests: every figure a test later looks for on a page is
written here, through the same repositories perfsight's own commands use."""

from __future__ import annotations

from datetime import UTC, datetime

from analyzers.shapes import ShapeStats
from collectors.records import CacheSample, LatencySample, PrometheusSample, QuantileEstimate
from perfsight.models import Finding, QueryEvent
from perfsight.reports.layout import chart, table
from perfsight.reports.model import MetricValue, Report, Section
from perfsight.store import Store, findings, heartbeat, reports, runs
from perfsight.store.runs import SeriesRow
from perfsight.store.samples import write_samples
from perfsight.store.shapes import save_shape_stats
from perfsight.store.source_health import record_attempt
from perfsight.thresholds import parse_expression

# Figures the tests look for.
RUN_P95 = 1234.0
RUN_RPS = 87.5
OLD_RUN_P95 = 640.0
REDIS_HITS, REDIS_MISSES = 720.0, 280.0  # 72 %
APP_HITS, APP_MISSES = 90.0, 10.0  # 90 %
ENDPOINT = "GET /api/itineraries/{id}"
LATENCY_P95 = 456.0
LATENCY_RPS = 12.5


def index_finding() -> Finding:
    return Finding(
        kind="missing_index",
        severity="critical",
        namespace="travel.leads",
        fingerprint='db.leads.find({"tenant":"?","status":"?"}).sort({"createdAt":-1})',
        summary="leads by tenant and status sorted by createdAt scan the whole collection",
        suggestion='db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})',
        evidence={"total_ms": 98765.0, "docs_examined": 500000, "returned": 20},
        index=(("tenant", 1), ("status", 1), ("createdAt", -1)),
    )


def n_plus_one_finding() -> Finding:
    return Finding(
        kind="n_plus_one",
        severity="critical",
        namespace="travel.itinerary_days",
        endpoint=ENDPOINT,
        fingerprint='db.itinerary_days.find({"_id":"?"})',
        summary=f"N+1 in {ENDPOINT}: 31 travel.itinerary_days queries per request",
        suggestion="Load the days with one $in query: find({_id: {$in: ids}})",
        evidence={"total_ms": 4321.0, "median_queries": 31, "requests": 200},
    )


def paging_finding() -> Finding:
    return Finding(
        kind="unpaginated_endpoint",
        severity="warning",
        endpoint="GET /api/bookings",
        summary="Unpaginated list GET /api/bookings: 5000 items",
        suggestion="Add limit/page parameters with a maximum page size",
        evidence={"items": 5000},
    )


def seed_findings(store: Store, now: float) -> list[Finding]:
    items = [index_finding(), n_plus_one_finding(), paging_finding()]
    findings.upsert_findings(store, items, origin="analyze", now=now)
    return items


def _outcome(target: str, expression: str, observed: float | None, source: str) -> dict:
    outcome = parse_expression(target, expression).evaluate(observed, source=source).to_dict()
    return outcome


def seed_runs(store: Store, now: float) -> tuple[str, str]:
    """An older passing run and a newer failing one, with stats, series and outcomes."""
    old = runs.create_run(
        store, target="http://127.0.0.1:9", settings={"planned_duration_s": 10}, now=now - 7200
    )
    runs.put_endpoint_stats(
        store,
        old,
        [
            _stats("Total", 1000, 0, OLD_RUN_P95, 50.0),
            _stats(ENDPOINT, 1000, 0, OLD_RUN_P95, 50.0),
        ],
    )
    runs.put_outcomes(
        store, old, [_outcome("http_req_duration", "p(95)<1000", OLD_RUN_P95, "exact listener")]
    )
    runs.finish_run(store, old, "passed", now=now - 7190)
    new = runs.create_run(
        store,
        target="http://127.0.0.1:9",
        settings={"planned_duration_s": 10},
        tags={"env": "ci"},
        label="nightly",
        now=now - 600,
    )
    runs.put_endpoint_stats(
        store,
        new,
        [_stats("Total", 875, 9, RUN_P95, RUN_RPS), _stats(ENDPOINT, 875, 9, RUN_P95, RUN_RPS)],
    )
    runs.append_series(
        store,
        new,
        [SeriesRow(now - 600 + i, "Total", 80 + i, 1, 1000.0 + i, 10) for i in range(10)],
    )
    outcome = _outcome("http_req_duration", "p(95)<500", RUN_P95, "exact listener")
    outcome["extra"] = {"attribution": [{"summary": n_plus_one_finding().summary}]}
    runs.put_outcomes(
        store,
        new,
        [
            outcome,
            _outcome("cache_hit_ratio", "value>0.70", 0.72, "redis_info main"),
            _outcome("db_queries_per_request", "avg<=5", 33.0, "profiler"),
        ],
    )
    runs.finish_run(store, new, "failed", now=now - 590)
    return old, new


def _stats(endpoint: str, requests: int, failures: int, p95: float, rps: float) -> dict:
    return {
        "endpoint": endpoint,
        "requests": requests,
        "failures": failures,
        "avg_ms": p95 / 2,
        "min_ms": 5.0,
        "med_ms": p95 / 3,
        "p90_ms": p95 * 0.9,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "max_ms": p95 * 1.5,
        "rps": rps,
    }


def seed_samples(store: Store, now: float) -> None:
    """Redis and app cache windows and Prometheus latency within the last hour of ``now``."""
    write_samples(
        store,
        [
            CacheSample("redis_info", "main", now - 120, now - 60, REDIS_HITS, REDIS_MISSES),
            CacheSample("app_metrics", "pricing", now - 360, now - 60, APP_HITS, APP_MISSES),
            PrometheusSample(
                now - 60,
                now - 360,
                now - 60,
                (
                    _latency(ENDPOINT, now),
                    _latency("*", now),
                ),
                (),
            ),
        ],
    )
    for name, kind in (("redis:main", "redis"), ("prometheus", "prometheus")):
        record_attempt(
            store,
            name=name,
            kind=kind,
            target="redis://127.0.0.1:6379" if kind == "redis" else "http://127.0.0.1:9090",
            at=now - 60,
            error=None,
            failures=0,
            next_attempt_at=now - 45,
        )


def _latency(endpoint: str, now: float) -> LatencySample:
    return LatencySample(
        endpoint,
        now - 360,
        now - 60,
        LATENCY_RPS,
        0.02,
        (
            QuantileEstimate(0.5, 120.0, 100.0, 300.0),
            QuantileEstimate(0.95, LATENCY_P95, 300.0, 500.0),
            QuantileEstimate(0.99, 789.0, 500.0, 1000.0),
        ),
    )


def source_down(store: Store, name: str, kind: str, error: str, now: float) -> None:
    record_attempt(
        store,
        name=name,
        kind=kind,
        target="http://127.0.0.1:9",
        at=now - 10,
        error=error,
        failures=3,
        next_attempt_at=now + 50,
    )


def seed_scheduler(store: Store, now: float, *, alive: bool = True) -> None:
    ttl = 60.0 if alive else 1.0
    at = now if alive else now - 600
    heartbeat.acquire(
        store, "scheduler", "box:123:abc", ttl, info={"jobs": [{"name": "nightly"}]}, now=at
    )


def report(now: float, *, status: str = "fail", with_paging: bool = True) -> Report:
    items = [n_plus_one_finding()] + ([paging_finding()] if with_paging else [])
    when = datetime.fromtimestamp(now, UTC)
    outcome = _outcome("cache_hit_ratio", "value>0.70", 0.61, "redis_info main")
    return Report(
        window_start=datetime.fromtimestamp(now - 86400, UTC),
        window_end=when,
        created_at=when,
        tags={"env": "prod"},
        status=status,
        outcomes=[outcome],
        findings=items,
        metrics=[
            MetricValue(
                "cache_hit_ratio", 0.61 if with_paging else 0.8, "ratio", "redis_info", "higher"
            )
        ],
        sections=[
            Section(
                "latency",
                "Latency per endpoint",
                True,
                data={
                    "summary": "p95 per endpoint from Prometheus",
                    "tables": [table("Endpoints", ["endpoint", "p95 ms"], [[ENDPOINT, 777.0]])],
                    "charts": [chart("line", "p95", "ms", [1, 2], {"p95": [700.0, 777.0]})],
                },
            ),
            Section("cache", "Cache", False, reason="Redis refused the connection"),
        ],
    )


def seed_reports(store: Store, now: float) -> tuple[str, str]:
    first = report(now - 86400, with_paging=False)
    second = report(now)
    ids = []
    for r in (first, second):
        ids.append(
            reports.add_report(
                store,
                window_start=r.window_start.timestamp(),
                window_end=r.window_end.timestamp(),
                status=r.status,
                summary=r.to_dict(),
                tags=r.tags,
                paths={"html": "/tmp/report.html"},
                now=r.created_at.timestamp(),
            )
        )
    return ids[0], ids[1]


LEADS = 'db.leads.find({"tenant":"?","status":"?"}).sort({"createdAt":-1})'
BOOKINGS = 'db.bookings.find({"tenant":"?"})'


def seed_shapes(store: Store, now: float) -> None:
    """Two shapes over two hourly buckets: leads (slow, collection scans) and bookings."""
    stats = ShapeStats(bucket_seconds=3600)
    start = (now - 2 * 3600) // 3600 * 3600
    for i in range(40):  # leads: 20 per bucket, 100..119 ms, 5000 docs examined, 10 returned
        stats.feed(
            QueryEvent(
                ts=datetime.fromtimestamp(start + (i // 20) * 3600 + i, UTC),
                op="query",
                namespace="travel.leads",
                command_name="find",
                fingerprint=LEADS,
                millis=float(100 + i % 20),
                docs_examined=5000,
                keys_examined=0,
                nreturned=10,
                plan_summary="COLLSCAN",
                has_sort_stage=True,
            )
        )
    for i in range(300):  # bookings: many fast ones
        stats.feed(
            QueryEvent(
                ts=datetime.fromtimestamp(start + i, UTC),
                op="query",
                namespace="travel.bookings",
                command_name="find",
                fingerprint=BOOKINGS,
                millis=2.0,
                docs_examined=1,
                keys_examined=1,
                nreturned=1,
                plan_summary="IXSCAN { tenant: 1 }",
            )
        )
    save_shape_stats(store, stats.buckets(), source="analyze:test")
