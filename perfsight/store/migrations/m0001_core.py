"""Core tables: load runs and their results, findings, reports, the scheduler's heartbeat.

Times are UTC epoch seconds (Float): portable between SQLite and PostgreSQL and cheap to prune.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

VERSION = 1
NAME = "core"

metadata = MetaData()

load_runs = Table(
    "load_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),  # running|passed|failed|aborted|error
    Column("label", String(200)),
    Column("tags", JSON, nullable=False, default=dict),
    Column("target", String(500)),
    Column("settings", JSON, nullable=False, default=dict),  # scenario, users, stages…
    Column("pid", Integer),
    Column("host", String(200)),  # machine that runs the load generator
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("updated_at", Float, nullable=False),
    Column("summary", JSON),  # totals, verdict details
    Column("error", Text),
    Index("ix_load_runs_started", "started_at"),
    Index("ix_load_runs_status", "status"),
)

load_run_endpoints = Table(
    "load_run_endpoints",
    metadata,
    Column("run_id", String(32), ForeignKey("load_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("endpoint", String(500), primary_key=True),  # "Total" for the whole run
    Column("requests", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("avg_ms", Float),
    Column("min_ms", Float),
    Column("med_ms", Float),
    Column("p90_ms", Float),
    Column("p95_ms", Float),
    Column("p99_ms", Float),
    Column("max_ms", Float),
    Column("rps", Float),
)

load_run_series = Table(
    "load_run_series",
    metadata,
    Column("run_id", String(32), ForeignKey("load_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("ts", Float, primary_key=True),  # second the row describes
    Column("endpoint", String(500), primary_key=True),  # "Total" for the whole run
    Column("requests", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("p95_ms", Float),
    Column("users", Integer),
)

threshold_outcomes = Table(
    "threshold_outcomes",
    metadata,
    Column("run_id", String(32), ForeignKey("load_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(600), primary_key=True),
    Column("status", String(16), nullable=False),  # pass|fail|not_measured
    Column("observed", Float),
    Column("outcome", JSON, nullable=False),  # Outcome.to_dict() plus attribution
)

findings = Table(
    "findings",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("confidence", String(10), nullable=False),
    Column("namespace", String(300)),
    Column("endpoint", String(500)),
    Column("fingerprint", Text),
    Column("summary", Text, nullable=False),
    Column("suggestion", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("index_key", JSON),
    Column("first_seen", Float),
    Column("last_seen", Float),
    Column("updated_at", Float, nullable=False),
    Column("origin", String(100)),  # analyze | run:<id> | report:<id> | collect
    Column("acknowledged_at", Float),
    Column("acknowledged_by", String(200)),
    Column("resolved", Boolean, nullable=False, default=False),
    Index("ix_findings_kind", "kind"),
    Index("ix_findings_last_seen", "last_seen"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("window_start", Float, nullable=False),
    Column("window_end", Float, nullable=False),
    Column("tags", JSON, nullable=False, default=dict),
    Column("status", String(16), nullable=False),  # pass|fail|not_measured
    Column("summary", JSON, nullable=False),
    Column("paths", JSON, nullable=False, default=dict),  # format -> file written
    Index("ix_reports_created", "created_at"),
)

scheduler_heartbeat = Table(
    "scheduler_heartbeat",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(200), nullable=False),  # host:pid:nonce of the holder
    Column("acquired_at", Float, nullable=False),
    Column("heartbeat_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("info", JSON, nullable=False, default=dict),
)


def upgrade(connection: Connection) -> None:
    metadata.create_all(connection)
