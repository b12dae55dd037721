"""The live profiler's state in the store: cursors in ``system.profile``, gaps, and the
profiling levels to restore (see migration m0005).

    cursors = load_cursors(store, "collect", target)              # database -> ProfileCursor
    save_cursors(store, "collect", target, poll.cursors())
    with store.write() as conn: write_gaps(conn, "collect", target, poll.gaps)
    rows = restore_rows(store, target)                            # levels still to restore
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from collectors.mongo_profiler import ProfileCursor, ProfilerGap
from perfsight.store import Store
from perfsight.store.tables import profiler_cursors, profiler_gaps, profiling_restores


def load_cursors(store: Store, consumer: str, target: str) -> dict[str, ProfileCursor]:
    table = profiler_cursors
    with store.read() as conn:
        rows = conn.execute(
            select(table).where(table.c.consumer == consumer, table.c.target == target)
        ).all()
    return {row.database: ProfileCursor(int(row.ts_ms), tuple(row.seen or ())) for row in rows}


def save_cursors(
    store: Store,
    consumer: str,
    target: str,
    cursors: Mapping[str, ProfileCursor],
    *,
    now: float | None = None,
) -> None:
    with store.write() as conn:
        write_cursors(conn, consumer, target, cursors, now=now)


def write_cursors(
    conn: Connection,
    consumer: str,
    target: str,
    cursors: Mapping[str, ProfileCursor],
    *,
    now: float | None = None,
) -> None:
    """Replace the stored cursors of these databases, in the caller's transaction (so a cursor
    moves together with what was stored from the documents it passed)."""
    table, stamp = profiler_cursors, time.time() if now is None else now
    for database, cursor in cursors.items():
        conn.execute(
            delete(table).where(
                table.c.consumer == consumer,
                table.c.target == target,
                table.c.database == database,
            )
        )
        conn.execute(
            table.insert().values(
                consumer=consumer,
                target=target,
                database=database,
                ts_ms=cursor.ts_ms,
                seen=list(cursor.seen),
                updated_at=stamp,
            )
        )


def write_gaps(
    conn: Connection,
    consumer: str,
    target: str,
    gaps: Iterable[ProfilerGap],
    *,
    now: float | None = None,
) -> int:
    rows = [
        {
            "consumer": consumer,
            "target": target,
            "database": gap.database,
            "since": gap.since.timestamp(),
            "until": gap.until.timestamp(),
            "estimated_lost": gap.estimated_lost,
            "detected_at": time.time() if now is None else now,
        }
        for gap in gaps
    ]
    if rows:
        conn.execute(profiler_gaps.insert(), rows)
    return len(rows)


def load_gaps(store: Store, target: str | None = None) -> list[dict[str, object]]:
    """Recorded gaps, newest first (for the dashboard and reports)."""
    query = select(profiler_gaps).order_by(profiler_gaps.c.detected_at.desc())
    if target is not None:
        query = query.where(profiler_gaps.c.target == target)
    with store.read() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


# -- profiling levels to restore ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreRow:
    """A database whose profiling level perfsight changed: what it was, what was set, by whom."""

    target: str
    database: str
    previous_level: int
    previous_slowms: int | None  # None: slowms was not changed
    set_level: int
    set_slowms: int | None
    set_at: float
    until: float | None
    heartbeat_at: float
    owner_host: str
    owner_pid: int
    owner_started: float
    owner_command: str


def restore_rows(store: Store, target: str) -> list[RestoreRow]:
    table = profiling_restores
    with store.read() as conn:
        rows = conn.execute(
            select(table).where(table.c.target == target).order_by(table.c.database)
        ).all()
    return [RestoreRow(**row._mapping) for row in rows]


def add_restore_row(store: Store, row: RestoreRow) -> None:
    """Written before the level is changed: if perfsight dies after the change, the next run
    knows what to put back."""
    table = profiling_restores
    with store.write() as conn:
        conn.execute(
            delete(table).where(table.c.target == row.target, table.c.database == row.database)
        )
        conn.execute(table.insert().values(**_values(row)))


def delete_restore_row(store: Store, target: str, database: str) -> None:
    table = profiling_restores
    with store.write() as conn:
        conn.execute(delete(table).where(table.c.target == target, table.c.database == database))


def renew_restore_rows(
    store: Store, target: str, owner_pid: int, owner_host: str, *, now: float | None = None
) -> None:
    """The owner is alive: a crashed owner on another host is recognised by a stale heartbeat."""
    table = profiling_restores
    with store.write() as conn:
        conn.execute(
            update(table)
            .where(
                table.c.target == target,
                table.c.owner_pid == owner_pid,
                table.c.owner_host == owner_host,
            )
            .values(heartbeat_at=time.time() if now is None else now)
        )


def _values(row: RestoreRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in RestoreRow.__dataclass_fields__}
