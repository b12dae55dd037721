"""Load runs: Locust in a subprocess (never imported here: it monkey-patches the process with
gevent), exact per-request figures, verdicts against thresholds.

The library API (the CLI, the dashboard and the scheduler all use it):

- ``run(settings, options, store, *, observers, on_progress, stop) -> RunResult`` — a whole load
  check in this process (Locust in a child process); raises ``PerfsightError`` when it cannot run.
- ``make_plan(settings, options)`` — only the input checks (thresholds, allowed_hosts, files).
- ``start_detached(options, log_path=…, config=…)`` / ``stop_run(store, run_id)`` — a run in its
  own ``perfsight loadcheck`` process, followed through the store by its run id.
- ``RunObserver`` — what the backend samplers implement to take part in a run.
"""

from loadruns.detached import DetachedRun, start_detached, stop_run
from loadruns.observers import ObserverReport, RunObserver
from loadruns.plan import LoadOptions, LoadPlan, make_plan
from loadruns.result import EndpointStats, Progress, RunResult
from loadruns.runner import execute, run
from loadruns.verdict import MetricSource, Observation

__all__ = [
    "DetachedRun",
    "EndpointStats",
    "LoadOptions",
    "LoadPlan",
    "MetricSource",
    "Observation",
    "ObserverReport",
    "Progress",
    "RunObserver",
    "RunResult",
    "execute",
    "make_plan",
    "run",
    "start_detached",
    "stop_run",
]
