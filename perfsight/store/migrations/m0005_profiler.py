"""The live MongoDB profiler: where each consumer stopped in each database's ``system.profile``,
the profiling levels perfsight changed and must restore, and the gaps it saw.

``profiler_cursors`` — per consumer (``collect``, a load run), server and database: the ``ts``
(epoch milliseconds, exact) of the last document read and the identities of the documents read
at that millisecond, so a read that starts there neither repeats nor skips them.

``profiling_restores`` — one row per database whose profiling level perfsight changed, written
*before* the change and deleted once the previous level and ``slowms`` are back. A row left by
a process that died is restored by the next perfsight that talks to that server.

``profiler_gaps`` — documents the capped ``system.profile`` overwrote before they were read.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

VERSION = 5
NAME = "live profiler"

metadata = MetaData()

profiler_cursors = Table(
    "profiler_cursors",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("target", String(500), primary_key=True),  # the server, URI redacted
    Column("database", String(200), primary_key=True),
    Column("ts_ms", BigInteger, nullable=False),
    Column("seen", JSON, nullable=False),  # identities of the documents read at ts_ms
    Column("updated_at", Float, nullable=False),
)

profiling_restores = Table(
    "profiling_restores",
    metadata,
    Column("target", String(500), primary_key=True),
    Column("database", String(200), primary_key=True),
    Column("previous_level", Integer, nullable=False),
    Column("previous_slowms", Integer),  # null: slowms was not changed
    Column("set_level", Integer, nullable=False),
    Column("set_slowms", Integer),
    Column("set_at", Float, nullable=False),
    Column("until", Float),  # the planned end of the window; null: until stopped (collect)
    Column("heartbeat_at", Float, nullable=False),
    Column("owner_host", String(255), nullable=False),
    Column("owner_pid", Integer, nullable=False),
    Column("owner_started", Float, nullable=False),  # the owner process's start time
    Column("owner_command", String(200), nullable=False),
)

profiler_gaps = Table(
    "profiler_gaps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("target", String(500), nullable=False),
    Column("database", String(200), nullable=False),
    Column("since", Float, nullable=False),  # the last document read before the gap
    Column("until", Float, nullable=False),  # the oldest document left after it
    Column("estimated_lost", BigInteger),
    Column("detected_at", Float, nullable=False),
    Index("ix_profiler_gaps_detected", "detected_at"),
)


def upgrade(connection: Connection) -> None:
    metadata.create_all(connection)
