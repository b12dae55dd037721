"""Per-shape totals over a time range computed by the database (one GROUP BY), for lists of
many shapes: the exact percentiles need the histograms, which only the shapes shown are read
for (``perfsight.store.shapes.load_shape_stats(shape_ids=…)``)."""

from __future__ import annotations

from collections import defaultdict
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


def p95_by_shape(
    store: Store, *, since: float | None = None, until: float | None = None
) -> dict[str, float | None]:
    """Each shape's exact (nearest-rank) p95 over the range, from its merged histograms. Reads
    the histogram column as text and parses it with orjson: an order of magnitude quicker
    than building full records, which matters with 100,000s of rows."""
    t = query_shapes
    query = select(t.c.shape_id, cast(t.c.millis_hist, Text))
    if since is not None:
        query = query.where(t.c.bucket_start >= since)
    if until is not None:
        query = query.where(t.c.bucket_start < until)
    merged: dict[str, dict[str, int]] = defaultdict(dict)
    with store.read() as conn:
        for shape, text in conn.execute(query):
            hist = merged[shape]
            for key, count in orjson.loads(text).items():
                hist[key] = hist.get(key, 0) + count
    return {
        shape: percentile({float(k): n for k, n in hist.items()}, 0.95)
        for shape, hist in merged.items()
    }
