"""A small versioned-migration mechanism.

Each feature adds its tables in a migration of its own: a module ``mNNNN_<name>.py`` here with
``VERSION``, ``NAME`` and ``upgrade(connection)``, listed in ``MIGRATIONS``. A migration, once
released, never changes; a later change to a table is a new migration (e.g. ALTER TABLE).
Tables are created from definitions frozen inside the migration, not from ``store.tables``,
so a fresh store and an upgraded one end up identical.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy import Column, Connection, Engine, Float, Integer, MetaData, String, Table, select

from perfsight.store.migrations import m0001_core, m0002_shapes


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    upgrade: Callable[[Connection], None]


def _from_module(module: ModuleType) -> Migration:
    return Migration(module.VERSION, module.NAME, module.upgrade)


MIGRATIONS: tuple[Migration, ...] = tuple(
    sorted((_from_module(m) for m in (m0001_core, m0002_shapes)), key=lambda m: m.version)
)

_meta = MetaData()
schema_version = Table(
    "schema_version",
    _meta,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", Float, nullable=False),
)


def applied_versions(connection: Connection) -> set[int]:
    return set(connection.execute(select(schema_version.c.version)).scalars())


# Any constant: the PostgreSQL advisory lock that serialises migrations between processes.
_PG_LOCK_KEY = 0x70657266


def migrate(engine: Engine) -> list[Migration]:
    """Apply the migrations not yet applied, all in one transaction. Safe to run from several
    processes at once: they take turns (SQLite's write lock, a PostgreSQL advisory lock) and a
    migration another process applied first is skipped."""
    done: list[Migration] = []
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        _meta.create_all(conn, checkfirst=True)
        applied = applied_versions(conn)
        for migration in MIGRATIONS:
            if migration.version in applied:
                continue
            migration.upgrade(conn)
            conn.execute(
                schema_version.insert().values(
                    version=migration.version, name=migration.name, applied_at=time.time()
                )
            )
            done.append(migration)
    return done
