"""The store's tables as they are now: import them from here, never from a migration module.

Each name points at the latest migration that defined or altered the table.
"""

from perfsight.store.migrations.m0001_core import (
    findings,
    load_run_endpoints,
    load_run_series,
    load_runs,
    reports,
    scheduler_heartbeat,
    threshold_outcomes,
)
from perfsight.store.migrations.m0002_shapes import file_cursors, query_shapes

__all__ = [
    "file_cursors",
    "findings",
    "load_run_endpoints",
    "load_run_series",
    "load_runs",
    "query_shapes",
    "reports",
    "scheduler_heartbeat",
    "threshold_outcomes",
]
