"""Query-shape statistics in the store, per source, shape and time bucket.

``save_shape_stats(..., mode="replace")`` (``perfsight analyze``): the buckets the statistics
cover replace what that source had stored for them, so analysing a file twice counts it once.
``mode="add"`` (``collect``, reading a file in pieces): statistics merge into their bucket.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, and_, delete, select, tuple_

from analyzers.shapes import ShapeStat, hist_key
from perfsight.models import epoch, from_epoch
from perfsight.store import Store
from perfsight.store.tables import query_shapes


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else epoch(value)


def _row(stat: ShapeStat, source: str, stamp: float) -> dict[str, Any]:
    return {
        "source": source,
        "shape_id": stat.id,
        "bucket_start": stat.bucket_start,
        "bucket_seconds": stat.bucket_seconds,
        "namespace": stat.namespace,
        "fingerprint": stat.fingerprint,
        "op": stat.op,
        "command": stat.command_name,
        "count": stat.count,
        "total_millis": stat.total_millis,
        "max_millis": stat.max_millis,
        "p50_millis": stat.p50_millis,
        "p95_millis": stat.p95_millis,
        "millis_hist": {_hist_text(k): v for k, v in stat.millis_hist.items()},
        "docs_examined": stat.docs_examined,
        "keys_examined": stat.keys_examined,
        "nreturned": stat.nreturned,
        "returned": stat.returned,
        "response_length": stat.response_length,
        "in_memory_sorts": stat.sort_stages,
        "disk_uses": stat.disk_uses,
        "errors": stat.errors,
        "plans": dict(stat.plans),
        "query_hashes": dict(stat.query_hashes),
        "example": stat.example,
        "first_seen": _epoch(stat.first_seen),
        "last_seen": _epoch(stat.last_seen),
        "updated_at": stamp,
    }


def _hist_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _stat(row: Any) -> ShapeStat:
    return ShapeStat(
        namespace=row.namespace,
        fingerprint=row.fingerprint,
        op=row.op,
        command_name=row.command,
        bucket_start=row.bucket_start,
        bucket_seconds=row.bucket_seconds,
        count=row.count,
        total_millis=row.total_millis,
        max_millis=row.max_millis,
        millis_hist={hist_key(float(k)): v for k, v in (row.millis_hist or {}).items()},
        docs_examined=row.docs_examined,
        keys_examined=row.keys_examined,
        nreturned=row.nreturned,
        returned=row.returned,
        response_length=row.response_length,
        sort_stages=row.in_memory_sorts,
        disk_uses=row.disk_uses,
        errors=row.errors,
        plans=dict(row.plans or {}),
        query_hashes=dict(row.query_hashes or {}),
        first_seen=None if row.first_seen is None else from_epoch(row.first_seen),
        last_seen=None if row.last_seen is None else from_epoch(row.last_seen),
        example=row.example,
    )


def save_shape_stats(
    store: Store,
    stats: Iterable[ShapeStat],
    *,
    source: str,
    mode: Literal["replace", "add"] = "replace",
    now: float | None = None,
) -> int:
    """Store per-bucket statistics (``ShapeStats.buckets()``); returns rows written."""
    with store.write() as conn:
        return write_shape_stats(conn, stats, source=source, mode=mode, now=now)


def write_shape_stats(
    conn: Connection,
    stats: Iterable[ShapeStat],
    *,
    source: str,
    mode: Literal["replace", "add"] = "replace",
    now: float | None = None,
) -> int:
    """``save_shape_stats`` inside a caller's transaction."""
    stamp = time.time() if now is None else now
    items = list(stats)
    if not items:
        return 0
    if mode == "replace":
        buckets = sorted({s.bucket_start for s in items})
        conn.execute(
            delete(query_shapes).where(
                query_shapes.c.source == source, query_shapes.c.bucket_start.in_(buckets)
            )
        )
    else:
        existing = _existing(conn, source, items)
        merged = []
        for stat in items:
            old = existing.get((stat.id, stat.bucket_start))
            if old is not None:
                old.merge(stat)
            merged.append(old or stat)
        items = merged
        for chunk in _chunks(list(existing), 500):
            conn.execute(delete(query_shapes).where(_keys_in(source, chunk)))
    conn.execute(query_shapes.insert(), [_row(s, source, stamp) for s in items])
    return len(items)


def _keys_in(source: str, keys: Sequence[tuple[str, float]]) -> Any:
    pair = tuple_(query_shapes.c.shape_id, query_shapes.c.bucket_start)
    return and_(query_shapes.c.source == source, pair.in_(list(keys)))


def _existing(
    conn: Connection, source: str, items: Sequence[ShapeStat]
) -> dict[tuple[str, float], ShapeStat]:
    keys = [(s.id, s.bucket_start) for s in items]
    found: dict[tuple[str, float], ShapeStat] = {}
    for chunk in _chunks(keys, 500):
        for row in conn.execute(select(query_shapes).where(_keys_in(source, chunk))):
            found[(row.shape_id, row.bucket_start)] = _stat(row)
    return found


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_shape_stats(
    store: Store,
    *,
    since: float | None = None,
    until: float | None = None,
    namespace: str | None = None,
    source: str | None = None,
    shape_ids: Collection[str] | None = None,
) -> list[ShapeStat]:
    """Stored per-bucket statistics whose bucket starts in ``[since, until)``, oldest first;
    ``shape_ids``: only those shapes."""
    query = select(query_shapes).order_by(query_shapes.c.bucket_start, query_shapes.c.shape_id)
    conditions = []
    if since is not None:
        conditions.append(query_shapes.c.bucket_start >= since)
    if until is not None:
        conditions.append(query_shapes.c.bucket_start < until)
    if namespace is not None:
        conditions.append(query_shapes.c.namespace == namespace)
    if source is not None:
        conditions.append(query_shapes.c.source == source)
    if shape_ids is not None:
        conditions.append(query_shapes.c.shape_id.in_(list(shape_ids)))
    if conditions:
        query = query.where(and_(*conditions))
    with store.read() as conn:
        return [_stat(row) for row in conn.execute(query)]
