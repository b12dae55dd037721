"""The Queries page: query shapes as a query-analytics view — totals per shape over the range
(merged from the stored per-bucket statistics), sortable by what costs most; one shape's
detail with its redacted example, plans seen, trend per bucket and findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzers.shapes import ShapeStat, totals_of
from perfsight.store import Store
from perfsight.store.findings import StoredFinding, list_findings
from perfsight.store.shape_summary import (
    ShapeHistograms,
    ShapeSummary,
    histograms,
    shape_summaries,
)
from perfsight.store.shapes import load_shape_stats

SORTS: dict[str, Callable[[ShapeSummary], float]] = {
    "total time": lambda s: s.total_millis,
    "count": lambda s: float(s.count),
    "docs examined": lambda s: float(s.docs_examined),
    "docs returned": lambda s: float(s.returned),
    "scanned / returned": lambda s: s.scan_ratio or 0.0,
}
# What the list can be sorted by; p95 needs every shape's histogram.
SORT_NAMES = ["total time", "count", "p95", "docs examined", "docs returned", "scanned / returned"]


@dataclass(frozen=True, slots=True)
class ListedShape:
    summary: ShapeSummary
    histograms: ShapeHistograms

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def p95_millis(self) -> float | None:
        return self.histograms.p95_millis


@dataclass(frozen=True, slots=True)
class QueryList:
    shapes: list[ListedShape]  # the shapes shown, in order
    total_shapes: int
    total_operations: int


def query_list(store: Store, *, since: float, until: float, sort: str, limit: int) -> QueryList:
    """The ``limit`` shapes that rank first by ``sort``. Totals come from one GROUP BY; the
    histograms are read for the shapes shown (for every shape when sorting by p95)."""
    summaries = shape_summaries(store, since=since, until=until)
    if sort == "p95":
        hists = histograms(store, since=since, until=until)
        top = sorted(summaries, key=lambda s: (-(hists[s.id].p95_millis or 0.0), s.id))[:limit]
    else:
        key = SORTS[sort]
        top = sorted(summaries, key=lambda s: (-key(s), s.id))[:limit]
        hists = histograms(store, since=since, until=until, shape_ids=[s.id for s in top])
    shown = [ListedShape(s, hists[s.id]) for s in top]
    return QueryList(shown, len(summaries), sum(s.count for s in summaries))


def plans_text(plans: Mapping[str, int]) -> str:
    return ", ".join(f"{plan} ×{n}" for plan, n in sorted(plans.items(), key=lambda p: -p[1]))


def shape_rows(shown: Sequence[ListedShape]) -> list[dict[str, Any]]:
    rows = []
    for item in shown:
        s = item.summary
        rows.append(
            {
                "shape": s.id,
                "namespace": s.namespace,
                "op": s.command or s.op,
                "fingerprint": s.fingerprint,
                "count": s.count,
                "total (ms)": s.total_millis,
                "avg (ms)": s.total_millis / s.count if s.count else None,
                "p95 (ms)": item.p95_millis,
                "max (ms)": s.max_millis,
                "docs examined": s.docs_examined,
                "returned": s.returned,
                "scanned/returned": s.scan_ratio,
                "in-memory sorts": s.sort_stages,
                "plans": plans_text(item.histograms.plans),
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class ShapeDetail:
    total: ShapeStat
    buckets: list[ShapeStat]  # oldest first
    findings: list[StoredFinding]


def detail(store: Store, shape_id: str, *, since: float, until: float) -> ShapeDetail:
    rows = load_shape_stats(store, since=since, until=until, shape_ids=[shape_id])
    total = totals_of(rows)[0]
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


def label(shown: ListedShape) -> str:
    fingerprint = shown.summary.fingerprint
    text = fingerprint if len(fingerprint) <= 100 else fingerprint[:99] + "…"
    return f"{shown.id} · {text}"
