"""Load runs in the store: recorded from their start, so a dashboard can follow them live and a
killed runner leaves a run the next start can mark ``aborted``."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import psutil
from sqlalchemy import delete, select, update

from perfsight.store import Store
from perfsight.store.tables import (
    load_run_endpoints,
    load_run_series,
    load_runs,
    threshold_outcomes,
)

RUN_STATUSES = ("running", "passed", "failed", "aborted", "error")
TOTAL = "Total"


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: str
    status: str
    label: str | None
    tags: Mapping[str, str]
    target: str | None
    settings: Mapping[str, Any]
    pid: int | None
    host: str | None
    started_at: float
    ended_at: float | None
    updated_at: float
    summary: Mapping[str, Any] | None
    error: str | None


def create_run(
    store: Store,
    *,
    target: str | None,
    settings: Mapping[str, Any],
    tags: Mapping[str, str] | None = None,
    label: str | None = None,
    pid: int | None = None,
    now: float | None = None,
    run_id: str | None = None,
) -> str:
    """A new ``running`` run. ``run_id`` lets a caller that starts the run elsewhere (a
    detached ``perfsight loadcheck``) know it in advance; by default a fresh one is made."""
    run_id = run_id or uuid.uuid4().hex
    stamp = time.time() if now is None else now
    with store.write() as conn:
        conn.execute(
            load_runs.insert().values(
                id=run_id,
                status="running",
                label=label,
                tags=dict(tags or {}),
                target=target,
                settings=dict(settings),
                pid=os.getpid() if pid is None else pid,
                host=socket.gethostname(),
                started_at=stamp,
                updated_at=stamp,
            )
        )
    return run_id


def finish_run(
    store: Store,
    run_id: str,
    status: str,
    *,
    summary: Mapping[str, Any] | None = None,
    error: str | None = None,
    now: float | None = None,
) -> None:
    if status not in RUN_STATUSES or status == "running":
        raise ValueError(f"a run ends as passed, failed, aborted or error, not {status!r}")
    stamp = time.time() if now is None else now
    values: dict[str, Any] = {"status": status, "ended_at": stamp, "updated_at": stamp}
    if summary is not None:
        values["summary"] = dict(summary)
    if error is not None:
        values["error"] = error
    with store.write() as conn:
        conn.execute(update(load_runs).where(load_runs.c.id == run_id).values(**values))


def touch_run(store: Store, run_id: str, *, summary: Mapping[str, Any] | None = None) -> None:
    """Mark a running run alive, optionally with its partial summary."""
    values: dict[str, Any] = {"updated_at": time.time()}
    if summary is not None:
        values["summary"] = dict(summary)
    with store.write() as conn:
        conn.execute(update(load_runs).where(load_runs.c.id == run_id).values(**values))


@dataclass(frozen=True, slots=True)
class SeriesRow:
    ts: float
    endpoint: str
    requests: int
    failures: int
    p95_ms: float | None
    users: int | None


def append_series(store: Store, run_id: str, rows: Iterable[SeriesRow]) -> int:
    """Add per-second rows; a second written twice (a re-sent tick) keeps its latest values."""
    batch = [
        {
            "run_id": run_id,
            "ts": row.ts,
            "endpoint": row.endpoint,
            "requests": row.requests,
            "failures": row.failures,
            "p95_ms": row.p95_ms,
            "users": row.users,
        }
        for row in rows
    ]
    if not batch:
        return 0
    with store.write() as conn:
        for row in batch:
            conn.execute(
                delete(load_run_series).where(
                    load_run_series.c.run_id == run_id,
                    load_run_series.c.ts == row["ts"],
                    load_run_series.c.endpoint == row["endpoint"],
                )
            )
        conn.execute(load_run_series.insert(), batch)
        conn.execute(
            update(load_runs).where(load_runs.c.id == run_id).values(updated_at=time.time())
        )
    return len(batch)


def put_endpoint_stats(store: Store, run_id: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace the per-endpoint stats of a run (keys as the ``load_run_endpoints`` columns)."""
    batch = [{"run_id": run_id, **row} for row in rows]
    with store.write() as conn:
        conn.execute(delete(load_run_endpoints).where(load_run_endpoints.c.run_id == run_id))
        if batch:
            conn.execute(load_run_endpoints.insert(), batch)


def put_outcomes(store: Store, run_id: str, outcomes: Iterable[Mapping[str, Any]]) -> None:
    """Replace a run's threshold outcomes (each an ``Outcome.to_dict()``, possibly extended)."""
    batch = [
        {
            "run_id": run_id,
            "name": o["name"],
            "status": o["status"],
            "observed": o.get("observed"),
            "outcome": dict(o),
        }
        for o in outcomes
    ]
    with store.write() as conn:
        conn.execute(delete(threshold_outcomes).where(threshold_outcomes.c.run_id == run_id))
        if batch:
            conn.execute(threshold_outcomes.insert(), batch)


def _record(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        status=row.status,
        label=row.label,
        tags=row.tags or {},
        target=row.target,
        settings=row.settings or {},
        pid=row.pid,
        host=row.host,
        started_at=row.started_at,
        ended_at=row.ended_at,
        updated_at=row.updated_at,
        summary=row.summary,
        error=row.error,
    )


def get_run(store: Store, run_id: str) -> RunRecord | None:
    with store.read() as conn:
        row = conn.execute(select(load_runs).where(load_runs.c.id == run_id)).first()
    return _record(row) if row else None


def list_runs(
    store: Store,
    *,
    limit: int = 100,
    status: str | Iterable[str] | None = None,
    tags: Mapping[str, str] | None = None,
) -> list[RunRecord]:
    """Newest first. ``tags``: only runs carrying every one of them."""
    query = select(load_runs).order_by(load_runs.c.started_at.desc())
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        query = query.where(load_runs.c.status.in_(statuses))
    if not tags:  # tags are JSON: filtered here, so only then is every row needed
        query = query.limit(limit)
    with store.read() as conn:
        rows = conn.execute(query).all()
    records = [_record(row) for row in rows]
    if tags:
        records = [r for r in records if all(r.tags.get(k) == v for k, v in tags.items())]
    return records[:limit]


def endpoint_stats(store: Store, run_id: str) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(
            select(load_run_endpoints)
            .where(load_run_endpoints.c.run_id == run_id)
            .order_by(load_run_endpoints.c.endpoint)
        ).mappings()
        return [dict(row) for row in rows]


def series(store: Store, run_id: str, endpoint: str | None = TOTAL) -> list[SeriesRow]:
    query = select(load_run_series).where(load_run_series.c.run_id == run_id)
    if endpoint is not None:
        query = query.where(load_run_series.c.endpoint == endpoint)
    with store.read() as conn:
        rows = conn.execute(query.order_by(load_run_series.c.ts)).all()
    return [SeriesRow(r.ts, r.endpoint, r.requests, r.failures, r.p95_ms, r.users) for r in rows]


def outcomes(store: Store, run_id: str) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(
            select(threshold_outcomes.c.outcome)
            .where(threshold_outcomes.c.run_id == run_id)
            .order_by(threshold_outcomes.c.name)
        ).scalars()
        return [dict(row) for row in rows]


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine with that pid is running (a zombie is not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def mark_abandoned_runs(
    store: Store, *, is_alive: Callable[[int], bool] = pid_alive, now: float | None = None
) -> list[str]:
    """Runs still ``running`` whose process on this machine is gone become ``aborted`` (their
    partial results stay). Runs of other machines are left alone: their pid means nothing here."""
    host = socket.gethostname()
    stamp = time.time() if now is None else now
    abandoned = [
        run.id
        for run in list_runs(store, limit=10_000, status="running")
        if run.host == host and (run.pid is None or not is_alive(run.pid))
    ]
    if abandoned:
        with store.write() as conn:
            conn.execute(
                update(load_runs)
                .where(load_runs.c.id.in_(abandoned), load_runs.c.status == "running")
                .values(
                    status="aborted",
                    ended_at=stamp,
                    updated_at=stamp,
                    error="the process running this load check stopped before it finished",
                )
            )
    return abandoned
