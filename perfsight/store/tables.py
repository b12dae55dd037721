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
from perfsight.store.migrations.m0003_collect import (
    cache_samples,
    collect_sources,
    latency_samples,
    redis_command_samples,
    redis_samples,
)
from perfsight.store.migrations.m0005_profiler import (
    profiler_cursors,
    profiler_gaps,
    profiling_restores,
)
from perfsight.store.migrations.m0008_scheduler import job_runs
from perfsight.store.migrations.m0010_dashboard import dashboard_launches

__all__ = [
    "cache_samples",
    "collect_sources",
    "dashboard_launches",
    "file_cursors",
    "findings",
    "job_runs",
    "latency_samples",
    "load_run_endpoints",
    "load_run_series",
    "load_runs",
    "profiler_cursors",
    "profiler_gaps",
    "profiling_restores",
    "query_shapes",
    "redis_command_samples",
    "redis_samples",
    "reports",
    "scheduler_heartbeat",
    "threshold_outcomes",
]
