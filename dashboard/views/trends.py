"""Trends over the stored history: p95, req/s, cache hit ratio and queries per request, each
point labelled by where it came from (load runs, Prometheus samples, Redis, reports)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from perfsight.store import Store
from perfsight.store.history import finished_runs, run_outcomes, run_totals
from perfsight.store.reports import list_reports
from perfsight.store.samples import cache_history, latency_history

P95 = "p95 (ms)"
RPS = "req/s"
CACHE = "cache hit ratio"
QPR = "queries per request"
METRICS = (P95, RPS, CACHE, QPR)
MAX_POINTS = 400  # per series: a chart of a month of 15 s samples stays quick to draw


@dataclass(frozen=True, slots=True)
class TrendPoint:
    metric: str
    series: str
    ts: float
    value: float


def _from_outcomes(
    outcomes: Iterable[Mapping[str, Any]], series: str, ts: float
) -> list[TrendPoint]:
    points = []
    for o in outcomes:
        observed = o.get("observed")
        if observed is None or o.get("scope"):
            continue
        if o.get("metric") == "cache_hit_ratio":
            points.append(TrendPoint(CACHE, series, ts, float(observed)))
        elif o.get("metric") == "db_queries_per_request":
            points.append(TrendPoint(QPR, f"{series} ({o.get('stat')})", ts, float(observed)))
    return points


def _runs(store: Store, since: float) -> list[TrendPoint]:
    recent = [r for r in finished_runs(store, limit=100) if r.started_at >= since]
    ids = [r.id for r in recent]
    totals, outcomes = run_totals(store, ids), run_outcomes(store, ids)
    points = []
    for run in recent:
        total, ts = totals.get(run.id, {}), run.ended_at or run.started_at
        if total.get("p95_ms") is not None:
            points.append(TrendPoint(P95, "load runs", ts, float(total["p95_ms"])))
        if total.get("rps") is not None:
            points.append(TrendPoint(RPS, "load runs", ts, float(total["rps"])))
        points += _from_outcomes(outcomes.get(run.id, []), "load runs", ts)
    return points


def _samples(store: Store, since: float) -> list[TrendPoint]:
    points = []
    for s in latency_history(store, endpoint="*", since=since):
        if s.p95.value_ms is not None:
            points.append(TrendPoint(P95, "Prometheus", s.end, s.p95.value_ms))
        if s.rps is not None:
            points.append(TrendPoint(RPS, "Prometheus", s.end, s.rps))
    for c in cache_history(store, since=since):
        if c.ratio is not None:
            points.append(TrendPoint(CACHE, f"{c.source} {c.scope}", c.end, c.ratio))
    return points


def _reports(store: Store, since: float) -> list[TrendPoint]:
    points = []
    for report in list_reports(store, limit=200):
        outcomes = report.summary.get("outcomes")
        if report.created_at >= since and isinstance(outcomes, list):
            points += _from_outcomes(outcomes, "reports", report.window_end)
    return points


def trend_points(store: Store, *, since: float) -> list[TrendPoint]:
    points = _runs(store, since) + _samples(store, since) + _reports(store, since)
    return downsample(points)


def downsample(points: Sequence[TrendPoint], max_points: int = MAX_POINTS) -> list[TrendPoint]:
    """Each series with at most ``max_points`` points: averages over equal time slices."""
    series: dict[tuple[str, str], list[TrendPoint]] = defaultdict(list)
    for p in points:
        series[(p.metric, p.series)].append(p)
    out: list[TrendPoint] = []
    for (metric, name), members in series.items():
        members.sort(key=lambda p: p.ts)
        if len(members) <= max_points:
            out += members
            continue
        start, end = members[0].ts, members[-1].ts
        width = (end - start) / max_points or 1.0
        slices: dict[int, list[TrendPoint]] = defaultdict(list)
        for p in members:
            slices[min(int((p.ts - start) / width), max_points - 1)].append(p)
        for chunk in slices.values():
            ts = sum(p.ts for p in chunk) / len(chunk)
            out.append(TrendPoint(metric, name, ts, sum(p.value for p in chunk) / len(chunk)))
    return out


def by_metric(points: Iterable[TrendPoint]) -> dict[str, list[TrendPoint]]:
    out: dict[str, list[TrendPoint]] = {m: [] for m in METRICS}
    for p in points:
        out[p.metric].append(p)
    return out
