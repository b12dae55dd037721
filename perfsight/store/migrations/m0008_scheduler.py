"""Scheduler job runs: what each scheduled job did, for the dashboard and for debugging."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Float, Index, Integer, MetaData, String, Table, Text

VERSION = 8
NAME = "scheduler job runs"

metadata = MetaData()

job_runs = Table(
    "job_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("job", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("owner", String(200), nullable=False),  # the scheduler instance that ran it
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("exit_code", Integer),  # None while running; -N killed by signal N
    Column("status", String(16), nullable=False),  # running|ok|failed|error|timeout|stopped
    Column("output", Text),  # the tail of what the job printed
    Index("ix_job_runs_started", "started_at"),
)


def upgrade(connection: Connection) -> None:
    metadata.create_all(connection)
