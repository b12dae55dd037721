"""The Queries page: query shapes as a query-analytics view — totals per shape over the range
(merged from the stored per-bucket statistics), sortable by what costs most; one shape's
detail with its redacted example, plans seen, trend per bucket and findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analyzers.shapes import ShapeStat, totals_of
from perfsight.store import Store
from perfsight.store.findings import StoredFinding, list_findings
from perfsight.store.shape_summary import ShapeSummary, p95_by_shape, shape_summaries
from perfsight.store.shapes import load_shape_stats

SORTS: dict[str, Callable[[ShapeSummary], float]] = {
    "total time": lambda s: s.total_millis,
    "count": lambda s: float(s.count),
    "docs examined": lambda s: float(s.docs_examined),
    "docs returned": lambda s: float(s.returned),
    "scanned / returned": lambda s: s.scan_ratio or 0.0,
}


# What the list can be sorted by; p95 needs the histograms (top_by_p95).
SORT_NAMES = ["total time", "count", "p95", "docs examined", "docs returned", "scanned / returned"]


@dataclass(frozen=True, slots=True)
class QueryList:
    shapes: list[ShapeStat]  # the shapes shown, in order, with every figure (p95, plans…)
    total_shapes: int
    total_operations: int


def _totals(
    store: Store, ids: Sequence[str], *, since: float, until: float
) -> dict[str, ShapeStat]:
    if not ids:
        return {}
    rows = load_shape_stats(store, since=since, until=until, shape_ids=ids)
    return {s.id: s for s in totals_of(rows)}


def query_list(store: Store, *, since: float, until: float, sort: str, limit: int) -> QueryList:
    """The ``limit`` shapes that rank first by ``sort``. Totals come from one GROUP BY; the
    histograms (exact p95, plans, example) are read only for the shapes shown."""
    summaries = shape_summaries(store, since=since, until=until)
    if sort == "p95":
        shown = top_by_p95(store, summaries, since=since, until=until, limit=limit)
    else:
        key = SORTS[sort]
        top = sorted(summaries, key=lambda s: (-key(s), s.id))[:limit]
        totals = _totals(store, [s.id for s in top], since=since, until=until)
        shown = [totals[s.id] for s in top]
    return QueryList(shown, len(summaries), sum(s.count for s in summaries))


def top_by_p95(
    store: Store, summaries: Sequence[ShapeSummary], *, since: float, until: float, limit: int
) -> list[ShapeStat]:
    """The top ``limit`` by their exact p95 over the range."""
    p95 = p95_by_shape(store, since=since, until=until)
    top = sorted(summaries, key=lambda s: (-(p95.get(s.id) or 0.0), s.id))[:limit]
    totals = _totals(store, [s.id for s in top], since=since, until=until)
    return [totals[s.id] for s in top]


def plans_text(stat: ShapeStat) -> str:
    return ", ".join(f"{plan} ×{n}" for plan, n in sorted(stat.plans.items(), key=lambda p: -p[1]))


def shape_rows(totals: Sequence[ShapeStat]) -> list[dict[str, Any]]:
    return [
        {
            "shape": s.id,
            "namespace": s.namespace,
            "op": s.command_name or s.op,
            "fingerprint": s.fingerprint,
            "count": s.count,
            "total (ms)": s.total_millis,
            "avg (ms)": s.avg_millis,
            "p95 (ms)": s.p95_millis,
            "max (ms)": s.max_millis,
            "docs examined": s.docs_examined,
            "returned": s.returned,
            "scanned/returned": s.scan_ratio,
            "in-memory sorts": s.sort_stages,
            "plans": plans_text(s),
        }
        for s in totals
    ]


@dataclass(frozen=True, slots=True)
class ShapeDetail:
    total: ShapeStat
    buckets: list[ShapeStat]  # oldest first
    findings: list[StoredFinding]


def detail(store: Store, total: ShapeStat, *, since: float, until: float) -> ShapeDetail:
    rows = load_shape_stats(store, since=since, until=until, shape_ids=[total.id])
    buckets = merge_by_bucket(rows)
    related = [
        f
        for f in list_findings(store, include_acknowledged=True)
        if f.finding.fingerprint == total.fingerprint
        and f.finding.namespace in (None, total.namespace)
    ]
    return ShapeDetail(total, buckets, related)


def merge_by_bucket(stats: Iterable[ShapeStat]) -> list[ShapeStat]:
    """One shape's rows merged per bucket (several sources may cover the same bucket)."""
    by_bucket: dict[float, ShapeStat] = {}
    for stat in stats:
        if stat.bucket_start in by_bucket:
            by_bucket[stat.bucket_start].merge(stat)
        else:
            by_bucket[stat.bucket_start] = stat
    return [by_bucket[b] for b in sorted(by_bucket)]


def trend(buckets: Sequence[ShapeStat]) -> dict[str, tuple[list[float], list[float | None]]]:
    xs = [b.bucket_start for b in buckets]
    return {
        "count": (xs, [float(b.count) for b in buckets]),
        "avg (ms)": (xs, [b.avg_millis for b in buckets]),
        "p95 (ms)": (xs, [b.p95_millis for b in buckets]),
    }


def label(stat: ShapeStat) -> str:
    text = stat.fingerprint if len(stat.fingerprint) <= 100 else stat.fingerprint[:99] + "…"
    return f"{stat.id} · {text}"
