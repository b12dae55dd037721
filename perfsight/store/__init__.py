"""The store: SQLAlchemy Core over a SQLite file (default) or PostgreSQL.

``Store(url)`` opens and migrates; ``store.write()`` and ``store.read()`` give connections in a
transaction. Repositories (``runs``, ``findings``, ``reports``, ``heartbeat``, ``prune``) are
plain functions taking the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from perfsight.config.redact import redact_url
from perfsight.errors import StoreError
from perfsight.store.engine import make_engine
from perfsight.store.migrations import migrate


class Store:
    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        try:
            migrate(self.engine)
        except OperationalError as exc:
            self.engine.dispose()
            raise StoreError(
                f"cannot open {redact_url(url)}: {exc.orig}", source="store.url"
            ) from exc
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot migrate {redact_url(url)}: {exc}", source="store") from exc

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a transaction that holds the write lock from its start (SQLite)."""
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
