"""SQLAlchemy engines for the store: a SQLite file in WAL mode, or PostgreSQL through psycopg 3."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from perfsight.config.redact import redact_url
from perfsight.errors import StoreError

# Seconds a writer waits for another process's write lock before SQLite gives up.
SQLITE_BUSY_TIMEOUT = 30.0


def json_text(value: Any) -> str:
    """JSON columns written with orjson: a large analysis stores thousands of duration
    histograms, where the standard library's encoder took about half a second. Non-string keys
    (histogram buckets) become their text, as ``json.dumps`` writes them. Unlike ``json.dumps``,
    NaN and infinities become ``null`` (valid JSON; PostgreSQL rejects ``NaN``) and datetimes
    their ISO text."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson cannot encode (an integer beyond 64 bits): as before
        return json.dumps(value)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {redact_url(url)!r}", source="store.url") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":  # psycopg 3 is the driver we ship, not psycopg2
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10},
            json_serializer=json_text,
        )
    raise StoreError(
        f"unsupported database {backend!r}: use sqlite:///path or postgresql://…",
        source="store.url",
    )


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, json_serializer=json_text
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then
        # writes can fail at once with "database is locked" instead of waiting its turn.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _enable_wal(cursor: sqlite3.Cursor) -> None:
    """WAL lets readers and a writer work at once. The mode is kept in the file, so only the
    first connection ever switches it; two processes creating the store together may see
    "database is locked" from the switch itself (no busy handler there), hence the retries."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
