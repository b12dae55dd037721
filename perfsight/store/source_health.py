"""The health of each collected source: when it was last sampled successfully, its latest
error and how many attempts in a row failed. One row per source name, kept up to date by the
collection loop; the dashboard shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from perfsight.store import Store
from perfsight.store.tables import collect_sources


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    kind: str
    target: str | None
    last_attempt_at: float | None
    last_success_at: float | None
    last_error: str | None
    failures: int
    next_attempt_at: float | None

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.last_success_at is not None


def record_attempt(
    store: Store,
    *,
    name: str,
    kind: str,
    target: str | None,
    at: float,
    error: str | None,
    failures: int,
    next_attempt_at: float | None,
) -> None:
    """Record one attempt to sample ``name``: success when ``error`` is None."""
    values: dict[str, object] = {
        "kind": kind,
        "target": target,
        "last_attempt_at": at,
        "last_error": error,
        "failures": failures,
        "next_attempt_at": next_attempt_at,
    }
    if error is None:
        values["last_success_at"] = at
    table = collect_sources
    for _ in range(2):  # a second collector may insert the row between our update and insert
        with store.write() as conn:
            if conn.execute(update(table).where(table.c.name == name).values(**values)).rowcount:
                return
        try:
            with store.write() as conn:
                conn.execute(table.insert().values(name=name, **values))
            return
        except IntegrityError:
            continue


def source_health(store: Store) -> list[SourceHealth]:
    """Every source ever collected, by name."""
    with store.read() as conn:
        rows = conn.execute(select(collect_sources).order_by(collect_sources.c.name)).all()
    return [
        SourceHealth(
            r.name,
            r.kind,
            r.target,
            r.last_attempt_at,
            r.last_success_at,
            r.last_error,
            r.failures,
            r.next_attempt_at,
        )
        for r in rows
    ]
