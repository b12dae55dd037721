"""Load runs started from the dashboard (``dashboard_launches``): claimed once per form token,
one at a time, before any process starts.

``claim`` runs in one write transaction (SQLite's write lock, a PostgreSQL advisory lock), so
two viewers clicking at the same moment cannot both start a run, and a token claimed once —
a double click — is never claimed again.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from perfsight.store import Store
from perfsight.store.tables import dashboard_launches, load_runs

# A start whose process has not recorded its run yet blocks another start for this long at
# most (a process that never records it has failed; the viewer is told from its log).
PENDING_FOR = 60.0
_PG_LOCK_KEY = 0x64617368  # any constant of our own: serialises claims between processes


@dataclass(frozen=True, slots=True)
class Launch:
    token: str
    run_id: str
    requested_at: float
    requested_by: str | None
    options: Mapping[str, Any]
    host: str
    pid: int | None
    log_path: str | None
    exit_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Claim:
    """``new``: this call claimed the token and must start the run. Otherwise ``launch`` is the
    start the token already made (a double click), or ``busy_run`` the run in progress that
    keeps another from starting."""

    new: bool
    launch: Launch | None
    busy_run: str | None = None


def _launch(row: Any) -> Launch:
    return Launch(**{name: getattr(row, name) for name in Launch.__dataclass_fields__})


def _busy_run(conn: Connection, now: float) -> str | None:
    running = conn.execute(
        select(load_runs.c.id)
        .where(load_runs.c.status == "running")
        .order_by(load_runs.c.started_at.desc())
    ).first()
    if running is not None:
        return str(running.id)
    recorded = select(load_runs.c.id).where(load_runs.c.id == dashboard_launches.c.run_id)
    pending = conn.execute(
        select(dashboard_launches.c.run_id).where(
            dashboard_launches.c.requested_at > now - PENDING_FOR,
            dashboard_launches.c.error.is_(None),
            dashboard_launches.c.exit_code.is_(None),
            ~recorded.exists(),
        )
    ).first()
    return None if pending is None else str(pending.run_id)


def claim(
    store: Store,
    *,
    token: str,
    run_id: str,
    options: Mapping[str, Any],
    requested_by: str | None = None,
    now: float | None = None,
) -> Claim:
    stamp = time.time() if now is None else now
    table = dashboard_launches
    with store.write() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        existing = conn.execute(select(table).where(table.c.token == token)).first()
        if existing is not None:
            return Claim(False, _launch(existing))
        busy = _busy_run(conn, stamp)
        if busy is not None:
            return Claim(False, None, busy)
        conn.execute(
            table.insert().values(
                token=token,
                run_id=run_id,
                requested_at=stamp,
                requested_by=requested_by,
                options=dict(options),
                host=socket.gethostname(),
            )
        )
        row = conn.execute(select(table).where(table.c.token == token)).one()
    return Claim(True, _launch(row))


def _set(store: Store, token: str, **values: Any) -> None:
    with store.write() as conn:
        conn.execute(
            update(dashboard_launches).where(dashboard_launches.c.token == token).values(**values)
        )


def started(store: Store, token: str, *, pid: int, log_path: str) -> None:
    _set(store, token, pid=pid, log_path=log_path)


def failed(store: Store, token: str, error: str) -> None:
    _set(store, token, error=error)


def exited(store: Store, token: str, exit_code: int) -> None:
    _set(store, token, exit_code=exit_code)


def latest(store: Store) -> Launch | None:
    with store.read() as conn:
        row = conn.execute(
            select(dashboard_launches).order_by(dashboard_launches.c.requested_at.desc()).limit(1)
        ).first()
    return None if row is None else _launch(row)


def by_run(store: Store, run_id: str) -> Launch | None:
    with store.read() as conn:
        row = conn.execute(
            select(dashboard_launches).where(dashboard_launches.c.run_id == run_id)
        ).first()
    return None if row is None else _launch(row)
