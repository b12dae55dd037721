"""A single-instance lock kept as a store row with a heartbeat that expires.

A holder renews the heartbeat; anyone may take a lock whose heartbeat expired (its holder
crashed), and never one that is alive. The compare-and-set runs in one UPDATE, so two
contenders cannot both win.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from perfsight.store import Store
from perfsight.store.tables import scheduler_heartbeat


@dataclass(frozen=True, slots=True)
class Heartbeat:
    name: str
    owner: str
    acquired_at: float
    heartbeat_at: float
    expires_at: float
    info: Mapping[str, Any]

    def alive(self, now: float | None = None) -> bool:
        return self.expires_at > (time.time() if now is None else now)


def acquire(
    store: Store,
    name: str,
    owner: str,
    ttl: float,
    *,
    info: Mapping[str, Any] | None = None,
    now: float | None = None,
) -> bool:
    """Take or renew the lock ``name`` for ``owner``; False when another live owner holds it."""
    stamp = time.time() if now is None else now
    values = {
        "owner": owner,
        "heartbeat_at": stamp,
        "expires_at": stamp + ttl,
        "info": dict(info or {}),
    }
    table = scheduler_heartbeat
    with store.write() as conn:
        renewed = conn.execute(
            update(table).where(table.c.name == name, table.c.owner == owner).values(**values)
        ).rowcount
        if renewed:
            return True
        taken = conn.execute(
            update(table)
            .where(table.c.name == name, table.c.expires_at <= stamp)
            .values(acquired_at=stamp, **values)
        ).rowcount
        if taken:
            return True
    try:
        with store.write() as conn:
            conn.execute(table.insert().values(name=name, acquired_at=stamp, **values))
        return True
    except IntegrityError:  # the row exists and its holder is alive
        return False


def release(store: Store, name: str, owner: str) -> None:
    """Let the lock go at once (expire it) if ``owner`` holds it."""
    table = scheduler_heartbeat
    with store.write() as conn:
        conn.execute(
            update(table)
            .where(table.c.name == name, table.c.owner == owner)
            .values(expires_at=time.time(), info={"released": True})
        )


def current(store: Store, name: str) -> Heartbeat | None:
    with store.read() as conn:
        row = conn.execute(
            select(scheduler_heartbeat).where(scheduler_heartbeat.c.name == name)
        ).first()
    if row is None:
        return None
    return Heartbeat(
        row.name, row.owner, row.acquired_at, row.heartbeat_at, row.expires_at, row.info or {}
    )
