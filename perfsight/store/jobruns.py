"""What scheduled jobs did: one row per run, written at its start and at its end."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from perfsight.store import Store
from perfsight.store.tables import job_runs


@dataclass(frozen=True, slots=True)
class JobRun:
    id: str
    job: str
    kind: str
    owner: str
    started_at: float
    ended_at: float | None
    exit_code: int | None
    status: str
    output: str | None


def start(store: Store, job: str, kind: str, owner: str) -> str:
    run_id = uuid.uuid4().hex
    with store.write() as conn:
        conn.execute(
            job_runs.insert().values(
                id=run_id, job=job, kind=kind, owner=owner, started_at=time.time(), status="running"
            )
        )
    return run_id


def finish(store: Store, run_id: str, status: str, exit_code: int | None, output: str) -> None:
    with store.write() as conn:
        conn.execute(
            update(job_runs)
            .where(job_runs.c.id == run_id)
            .values(ended_at=time.time(), status=status, exit_code=exit_code, output=output)
        )


def recent(store: Store, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    query = select(job_runs).order_by(job_runs.c.started_at.desc()).limit(limit)
    if job is not None:
        query = query.where(job_runs.c.job == job)
    with store.read() as conn:
        return [JobRun(**row._mapping) for row in conn.execute(query)]
