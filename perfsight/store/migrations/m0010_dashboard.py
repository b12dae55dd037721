"""Load runs started from the dashboard: one row per click, claimed before the process starts.

The row's primary key is the form's one-time token, so a double click (or two reruns of one
click) claims once and starts one run; the row keeps the process and log of the start, so any
viewer — another browser, the same one after a refresh — follows the same run.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

VERSION = 10
NAME = "dashboard launches"

metadata = MetaData()

dashboard_launches = Table(
    "dashboard_launches",
    metadata,
    Column("token", String(64), primary_key=True),  # the form's one-time token
    Column("run_id", String(32), nullable=False),  # the run the process records
    Column("requested_at", Float, nullable=False),
    Column("requested_by", String(200)),  # the signed-in user, when there is one
    Column("options", JSON, nullable=False),  # what the form asked for (no secrets)
    Column("host", String(200), nullable=False),  # machine of the dashboard that started it
    Column("pid", Integer),  # the perfsight loadcheck process, once started
    Column("log_path", String(1000)),
    Column("exit_code", Integer),  # once the dashboard saw the process end
    Column("error", Text),  # why it could not start
    Index("ix_dashboard_launches_requested", "requested_at"),
)


def upgrade(connection: Connection) -> None:
    metadata.create_all(connection)
