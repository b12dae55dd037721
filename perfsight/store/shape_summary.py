"""Per-shape totals over a time range computed by the database (one GROUP BY), for lists of
many shapes: the exact percentiles need the histograms, which only the shapes shown are read
for (``perfsight.store.shapes.load_shape_stats(shape_ids=…)``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import orjson
from sqlalchemy import Text, cast, func, select

from analyzers.shapes import percentile
from perfsight.store import Store
from perfsight.store.tables import query_shapes


@dataclass(frozen=True, slots=True)
class ShapeSummary:
    id: str
    namespace: str
    fingerprint: str
    op: str
    command: str | None
    count: int
    total_millis: float
    max_millis: float
    docs_examined: int
    returned: int
    sort_stages: int

    @property
    def scan_ratio(self) -> float | None:
        """Documents examined per document returned (``ShapeStat.scan_ratio``'s meaning)."""
        if not self.docs_examined:
            return None
        return self.docs_examined / max(self.returned, 1)


def shape_summaries(
    store: Store, *, since: float | None = None, until: float | None = None
) -> list[ShapeSummary]:
    """One row per shape with buckets starting in ``[since, until)``."""
    t = query_shapes
    query = select(
        t.c.shape_id,
        func.min(t.c.namespace),
        func.min(t.c.fingerprint),
        func.min(t.c.op),
        func.min(t.c.command),
        func.sum(t.c.count),
        func.sum(t.c.total_millis),
        func.max(t.c.max_millis),
        func.sum(t.c.docs_examined),
        func.sum(t.c.returned),
        func.sum(t.c.in_memory_sorts),
    ).group_by(t.c.shape_id)
    if since is not None:
        query = query.where(t.c.bucket_start >= since)
    if until is not None:
        query = query.where(t.c.bucket_start < until)
    with store.read() as conn:
        rows = conn.execute(query).all()
    return [
        ShapeSummary(
            id=r[0],
            namespace=r[1],
            fingerprint=r[2],
            op=r[3],
            command=r[4],
            count=int(r[5] or 0),
            total_millis=float(r[6] or 0.0),
            max_millis=float(r[7] or 0.0),
            docs_examined=int(r[8] or 0),
            returned=int(r[9] or 0),
            sort_stages=int(r[10] or 0),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ShapeHistograms:
    """A shape's durations (milliseconds → count) and plans (summary → count), merged over
    the range."""

    millis: dict[float, int]
    plans: dict[str, int]

    @property
    def p95_millis(self) -> float | None:
        return percentile(self.millis, 0.95)


def histograms(
    store: Store,
    *,
    since: float | None = None,
    until: float | None = None,
    shape_ids: Collection[str] | None = None,
) -> dict[str, ShapeHistograms]:
    """Each shape's merged histograms over the range (``shape_ids``: only those). Reads the
    JSON columns as text and parses them with orjson: an order of magnitude quicker than
    building full records, which matters with 100,000s of rows."""
    t = query_shapes
    query = select(t.c.shape_id, cast(t.c.millis_hist, Text), cast(t.c.plans, Text))
    if since is not None:
        query = query.where(t.c.bucket_start >= since)
    if until is not None:
        query = query.where(t.c.bucket_start < until)
    if shape_ids is not None:
        query = query.where(t.c.shape_id.in_(list(shape_ids)))
    millis: dict[str, dict[str, int]] = defaultdict(dict)
    plans: dict[str, dict[str, int]] = defaultdict(dict)
    with store.read() as conn:
        for shape, hist_text, plans_text in conn.execute(query):
            _add(millis[shape], orjson.loads(hist_text))
            _add(plans[shape], orjson.loads(plans_text or "{}"))
    return {
        shape: ShapeHistograms({float(k): n for k, n in hist.items()}, plans[shape])
        for shape, hist in millis.items()
    }


def _add(into: dict[str, int], other: dict[str, int]) -> None:
    for key, count in other.items():
        into[key] = into.get(key, 0) + count
