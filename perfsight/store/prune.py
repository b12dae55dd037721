"""``perfsight store prune``: delete what is older than the retention."""

from __future__ import annotations

import time

from sqlalchemy import Column, Table, delete, select

from perfsight.store import Store
from perfsight.store.tables import (
    cache_samples,
    dashboard_launches,
    findings,
    job_runs,
    latency_samples,
    load_run_endpoints,
    load_run_series,
    load_runs,
    profiler_gaps,
    query_shapes,
    redis_command_samples,
    redis_samples,
    reports,
    threshold_outcomes,
)

# (table, time column) pairs pruned by age. Each feature adds its own tables here.
PRUNABLE: list[tuple[Table, str]] = [
    (findings, "last_seen"),
    (reports, "created_at"),
    (job_runs, "started_at"),
    (redis_samples, "ts"),
    (redis_command_samples, "ts"),
    (cache_samples, "ts"),
    (latency_samples, "ts"),
    (dashboard_launches, "requested_at"),
    (query_shapes, "bucket_start"),
    (profiler_gaps, "detected_at"),
]


def prune(store: Store, older_than: float, *, now: float | None = None) -> dict[str, int]:
    """Delete rows older than ``older_than`` seconds; returns rows deleted per table.
    Load runs go with their endpoints, series and outcomes; a running run is never deleted."""
    cutoff = (time.time() if now is None else now) - older_than
    counts: dict[str, int] = {}
    with store.write() as conn:
        old_runs = select(load_runs.c.id).where(
            load_runs.c.started_at < cutoff, load_runs.c.status != "running"
        )
        run_ids = list(conn.execute(old_runs).scalars())
        for child in (load_run_endpoints, load_run_series, threshold_outcomes):
            column: Column[str] = child.c.run_id
            counts[child.name] = conn.execute(delete(child).where(column.in_(run_ids))).rowcount
        counts[load_runs.name] = conn.execute(
            delete(load_runs).where(load_runs.c.id.in_(run_ids))
        ).rowcount
        for table, column_name in PRUNABLE:
            counts[table.name] = conn.execute(
                delete(table).where(table.c[column_name] < cutoff)
            ).rowcount
    return counts
