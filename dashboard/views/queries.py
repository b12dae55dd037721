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
from perfsight.store.shapes import load_shape_stats

SORTS: dict[str, Callable[[ShapeStat], float]] = {
    "total time": lambda s: s.total_millis,
    "count": lambda s: float(s.count),
    "p95": lambda s: s.p95_millis or 0.0,
    "docs examined": lambda s: float(s.docs_examined),
    "docs returned": lambda s: float(s.returned),
    "scanned / returned": lambda s: s.scan_ratio or 0.0,
}


def shape_totals(store: Store, *, since: float, until: float) -> list[ShapeStat]:
    return totals_of(load_shape_stats(store, since=since, until=until))


def ranked(totals: Sequence[ShapeStat], sort: str, limit: int | None = None) -> list[ShapeStat]:
    key = SORTS[sort]
    ordered = sorted(totals, key=lambda s: (-key(s), s.id))
    return ordered if limit is None else ordered[:limit]


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
    rows = load_shape_stats(store, since=since, until=until, namespace=total.namespace)
    buckets = merge_by_bucket(s for s in rows if s.id == total.id)
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
