"""Collected samples in the store: written by ``perfsight collect`` (or any caller holding
records), read by the dashboard and reports.

Writing dispatches on the record type (``WRITERS``): a new kind of source adds its records'
writer with ``register_writer`` and the collection loop stores them with no other change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select

from collectors.mongo_source import ProfilerSample
from collectors.records import CacheSample, LatencySample, PrometheusSample, QuantileEstimate
from collectors.redis_collector import RedisSample
from collectors.redis_delta import CommandDelta
from collectors.redis_info import RedisSnapshot
from perfsight.store import Store
from perfsight.store.profiler import write_cursors, write_gaps
from perfsight.store.shapes import write_shape_stats
from perfsight.store.tables import (
    cache_samples,
    latency_samples,
    redis_command_samples,
    redis_samples,
)

Writer = Callable[[Connection, Any], int]
WRITERS: dict[type, Writer] = {}


def register_writer(record_type: type, writer: Writer) -> None:
    """Store records of ``record_type`` with ``writer(conn, record) -> rows written``."""
    WRITERS[record_type] = writer


def write_samples(store: Store, records: Iterable[object]) -> int:
    """Write records of any registered type in one transaction; rows written. An unknown type
    is an error (a record is never dropped silently)."""
    batch = list(records)
    for record in batch:
        if type(record) not in WRITERS:
            raise TypeError(f"no store writer for {type(record).__name__} records")
    if not batch:
        return 0
    with store.write() as conn:
        return sum(WRITERS[type(record)](conn, record) for record in batch)


# -- writers -----------------------------------------------------------------------------------


def _write_cache(conn: Connection, samples: Sequence[CacheSample]) -> int:
    rows = [
        {
            "source": s.source,
            "scope": s.scope,
            "ts": s.end,
            "window_start": s.start,
            "hits": s.hits,
            "misses": s.misses,
            "ratio": s.ratio,
            "reset": s.reset,
        }
        for s in samples
    ]
    if rows:
        conn.execute(cache_samples.insert(), rows)
    return len(rows)


def _write_redis(conn: Connection, sample: RedisSample) -> int:
    snap, window = sample.snapshot, sample.window
    conn.execute(
        redis_samples.insert().values(
            instance=snap.instance,
            ts=snap.ts,
            window_start=window.start if window else None,
            run_id=snap.run_id,
            version=snap.version,
            uptime_s=snap.uptime_s,
            used_memory=snap.used_memory,
            used_memory_peak=snap.used_memory_peak,
            maxmemory=snap.maxmemory,
            fragmentation=snap.fragmentation,
            connected_clients=snap.connected_clients,
            keys=snap.keys,
            expires=snap.expires,
            keyspace={
                db: {"keys": k.keys, "expires": k.expires, "avg_ttl_ms": k.avg_ttl_ms}
                for db, k in snap.keyspace.items()
            },
            ops_per_sec=window.ops_per_sec if window else None,
            evicted_keys=window.evicted_keys if window else None,
            expired_keys=window.expired_keys if window else None,
            reset=window.reset if window else None,
            counters=snap.counters(),
        )
    )
    if window is None:
        return 1
    commands = [
        {
            "instance": snap.instance,
            "ts": window.end,
            "window_start": window.start,
            "command": c.command,
            "calls": c.calls,
            "usec": c.usec,
            "rejected_calls": c.rejected_calls,
            "failed_calls": c.failed_calls,
        }
        for c in window.commands
    ]
    if commands:
        conn.execute(redis_command_samples.insert(), commands)
    return 1 + len(commands) + _write_cache(conn, [window.cache])


def _write_prometheus(conn: Connection, sample: PrometheusSample) -> int:
    rows = []
    for e in sample.endpoints:
        row: dict[str, Any] = {
            "endpoint": e.endpoint,
            "ts": e.end,
            "window_start": e.start,
            "rps": e.rps,
            "error_ratio": e.error_ratio,
        }
        # The table has the three quantiles perfsight reports; others a caller asked the
        # collector for are not kept.
        for name, estimate in (("p50", e.p50), ("p95", e.p95), ("p99", e.p99)):
            row[f"{name}_ms"] = estimate.value_ms
            row[f"{name}_lower_ms"] = estimate.lower_ms
            row[f"{name}_upper_ms"] = estimate.upper_ms
        rows.append(row)
    if rows:
        conn.execute(latency_samples.insert(), rows)
    return len(rows) + _write_cache(conn, sample.caches)


register_writer(RedisSample, _write_redis)
register_writer(PrometheusSample, _write_prometheus)
register_writer(CacheSample, lambda conn, sample: _write_cache(conn, [sample]))


def _write_profiler(conn: Connection, sample: ProfilerSample) -> int:
    """Shape statistics, cursors and gaps of one profiler sample, together."""
    rows = write_shape_stats(
        conn, list(sample.buckets), source=sample.source_label, mode="add", now=time.time()
    )
    write_cursors(conn, sample.consumer, sample.target, sample.cursors)
    return rows + write_gaps(conn, sample.consumer, sample.target, sample.gaps)


register_writer(ProfilerSample, _write_profiler)


# -- readers -----------------------------------------------------------------------------------


def _history(
    store: Store,
    table: Table,
    *,
    equal: Mapping[str, object | None],
    since: float | None,
    until: float | None,
    order: Sequence[str] = ("ts", "id"),
    columns: Sequence[str] | None = None,
) -> Sequence[Row[Any]]:
    """Rows of a time-keyed table, oldest first: ``ts`` within ``[since, until]`` and each
    column of ``equal`` equal to its value (``None``: any value)."""
    selected = [table.c[name] for name in columns] if columns else [table]
    query = select(*selected).order_by(*(table.c[name] for name in order))
    for name, value in equal.items():
        if value is not None:
            query = query.where(table.c[name] == value)
    if since is not None:
        query = query.where(table.c.ts >= since)
    if until is not None:
        query = query.where(table.c.ts <= until)
    with store.read() as conn:
        return conn.execute(query).all()


def redis_cursor(store: Store, instance: str) -> RedisSnapshot | None:
    """The lifetime counters of the instance's latest stored sample: where the next window
    starts (so separate ``collect --once`` runs still measure windows)."""
    with store.read() as conn:
        row = conn.execute(
            select(redis_samples.c.ts, redis_samples.c.counters)
            .where(redis_samples.c.instance == instance)
            .order_by(redis_samples.c.ts.desc())
            .limit(1)
        ).first()
    return RedisSnapshot.from_counters(instance, row.ts, row.counters) if row else None


def cache_history(
    store: Store,
    *,
    source: str | None = None,
    scope: str | None = None,
    since: float | None = None,
    until: float | None = None,
) -> list[CacheSample]:
    """Stored cache hit ratios (each labelled by its source), oldest first."""
    equal = {"source": source, "scope": scope}
    rows = _history(store, cache_samples, equal=equal, since=since, until=until)
    return [
        CacheSample(r.source, r.scope, r.window_start, r.ts, r.hits, r.misses, r.reset)
        for r in rows
    ]


def redis_hit_ratio_over(store: Store, instance: str, *, since: float, until: float) -> CacheSample:
    """The Redis INFO hit ratio over ``[since, until]`` from the stored windows that lie inside
    it: the sum of their deltas (windows dropped for a restart count nothing). Only Redis
    windows add up like this — they never overlap; the app's Prometheus samples each cover a
    ``rate_window`` and do overlap (ask ``PrometheusCollector.window`` for those)."""
    query = select(
        func.sum(cache_samples.c.hits),
        func.sum(cache_samples.c.misses),
        func.min(cache_samples.c.window_start),
        func.max(cache_samples.c.ts),
    ).where(
        cache_samples.c.source == "redis_info",
        cache_samples.c.scope == instance,
        cache_samples.c.reset.is_(None),
        cache_samples.c.window_start >= since,
        cache_samples.c.ts <= until,
    )
    with store.read() as conn:
        hits, misses, start, end = conn.execute(query).one()
    return CacheSample(
        "redis_info",
        instance,
        start if start is not None else since,
        end if end is not None else until,
        hits or 0.0,
        misses or 0.0,
    )


@dataclass(frozen=True, slots=True)
class StoredRedisSample:
    instance: str
    ts: float
    window_start: float | None
    run_id: str
    version: str | None
    uptime_s: int
    used_memory: int
    used_memory_peak: int
    maxmemory: int
    fragmentation: float | None
    connected_clients: int
    keys: int
    expires: int
    ops_per_sec: float | None
    evicted_keys: int | None
    expired_keys: int | None
    reset: str | None


def redis_history(
    store: Store,
    *,
    instance: str | None = None,
    since: float | None = None,
    until: float | None = None,
) -> list[StoredRedisSample]:
    """Memory, keys, ops/s and restarts of each Redis sample, oldest first."""
    rows = _history(
        store,
        redis_samples,
        equal={"instance": instance},
        since=since,
        until=until,
        columns=list(StoredRedisSample.__dataclass_fields__),
    )
    return [StoredRedisSample(**row._asdict()) for row in rows]


def command_totals(
    store: Store, instance: str, *, since: float | None = None, until: float | None = None
) -> list[CommandDelta]:
    """Per-command calls and time summed over the stored windows, the most time first."""
    t = redis_command_samples
    query = (
        select(
            t.c.command,
            func.sum(t.c.calls),
            func.sum(t.c.usec),
            func.sum(t.c.rejected_calls),
            func.sum(t.c.failed_calls),
        )
        .where(t.c.instance == instance)
        .group_by(t.c.command)
    )
    if since is not None:
        query = query.where(t.c.ts >= since)
    if until is not None:
        query = query.where(t.c.ts <= until)
    with store.read() as conn:
        rows = conn.execute(query).all()
    totals = [CommandDelta(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]
    return sorted(totals, key=lambda d: (-d.usec, d.command))


def latency_history(
    store: Store,
    *,
    endpoint: str | None = None,
    since: float | None = None,
    until: float | None = None,
) -> list[LatencySample]:
    """Stored per-endpoint samples (``*`` is the whole app), oldest first."""
    rows = _history(
        store,
        latency_samples,
        equal={"endpoint": endpoint},
        since=since,
        until=until,
        order=("ts", "endpoint"),
    )
    return [_latency(row) for row in rows]


def latest_latency(store: Store) -> list[LatencySample]:
    """Every endpoint of the latest Prometheus sample."""
    with store.read() as conn:
        latest = conn.execute(select(func.max(latency_samples.c.ts))).scalar()
        if latest is None:
            return []
        rows = conn.execute(
            select(latency_samples)
            .where(latency_samples.c.ts == latest)
            .order_by(latency_samples.c.endpoint)
        ).all()
    return [_latency(row) for row in rows]


def _latency(row: Any) -> LatencySample:
    quantiles = tuple(
        QuantileEstimate(
            q, getattr(row, f"{n}_ms"), getattr(row, f"{n}_lower_ms"), getattr(row, f"{n}_upper_ms")
        )
        for q, n in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"))
    )
    return LatencySample(
        row.endpoint, row.window_start, row.ts, row.rps, row.error_ratio, quantiles
    )
