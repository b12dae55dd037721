"""The backend of a load run, watched in the run's window: Prometheus (server-side latency per
endpoint, the app's cache counters), Redis (hit ratio from INFO deltas), the MongoDB profiler
(queries per request, N+1, redundant and unpaginated queries, missing indexes, time outside the
database), the HTTP probe (unpaginated list endpoints) and the processes (CPU and memory of the
generator and the target). Each source is optional.

``backend_observer(settings, plan, store)`` builds them from the settings as one
``RunObserver`` to hand to ``loadruns.run``/``execute``.
"""

from __future__ import annotations

from loadruns.backend.session import BackendSession
from loadruns.backend.sources import backend_observer

__all__ = ["BackendSession", "backend_observer"]
