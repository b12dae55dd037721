"""Database time per request, by request id, against the endpoint's response time: when the
database explains little of a slow endpoint's time, the time is spent elsewhere —
``time_outside_db`` (a synchronous email, a call to another service, CPU work, a pool wait).

A request's database time is the union of its operations' intervals (``ts`` is when an
operation ended, ``millis`` how long it took), so concurrent queries of one request
(``Promise.all``) are not counted twice. Requests are closed after ``request_idle`` of event
time without a new query: memory holds the last seconds of traffic, not the whole run.

Pure: events in, per-endpoint figures and findings out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from analyzers.idle_groups import IdleGroups
from analyzers.requests import MAX_REQUEST_SECONDS
from loadruns.result import EndpointStats
from perfsight.models import Finding, QueryEvent, Severity, epoch

CRITICAL_OUTSIDE_MS = 500.0  # Sentry's slow-span line: half a second outside the DB per request


@dataclass(slots=True)
class _Request:
    endpoint: str | None = None
    intervals: list[tuple[float, float]] = field(default_factory=list)
    first: float = float("inf")


@dataclass(slots=True)
class EndpointDbTime:
    """Database time of one endpoint's requests, summed over the requests the profiler saw."""

    requests: int = 0
    queries: int = 0
    db_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "queries": self.queries, "db_ms": round(self.db_ms, 1)}


def union_ms(intervals: list[tuple[float, float]]) -> float:
    """Length in ms of the union of ``(start, end)`` intervals in seconds."""
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total * 1000.0


class DbTimeTracker:
    def __init__(self, idle: float = 30.0) -> None:
        self._open: IdleGroups[str, _Request] = IdleGroups(idle, _Request)
        self._done: dict[str, EndpointDbTime] = {}
        self._clock = float("-inf")

    def feed(self, event: QueryEvent) -> None:
        if event.is_admin or not event.request_id:
            return
        end = epoch(event.ts)
        self._clock = max(self._clock, end)
        request = self._open.get(event.request_id, end)
        start = end - float(event.millis or 0.0) / 1000.0
        request.intervals.append((start, end))
        request.first = min(request.first, start)
        if request.endpoint is None and event.endpoint:
            request.endpoint = event.endpoint
        if end - request.first > MAX_REQUEST_SECONDS:  # a label, not a request (requests.py)
            self._open.pop(event.request_id)
        for _rid, done in self._open.expired(self._clock):
            self._close(self._done, done)

    @staticmethod
    def _close(table: dict[str, EndpointDbTime], request: _Request) -> None:
        if request.endpoint is None:
            return
        stats = table.setdefault(request.endpoint, EndpointDbTime())
        stats.requests += 1
        stats.queries += len(request.intervals)
        stats.db_ms += union_ms(request.intervals)

    def per_endpoint(self) -> dict[str, EndpointDbTime]:
        """Endpoint key -> database time, the still-open requests included."""
        table = {k: EndpointDbTime(v.requests, v.queries, v.db_ms) for k, v in self._done.items()}
        for _rid, request in self._open.items():
            self._close(table, request)
        return table


@dataclass(frozen=True, slots=True)
class OutsideDbRule:
    """``[analysis] outside_db_min_ms`` and ``outside_db_max_share``."""

    min_avg_ms: float = 100.0
    max_share: float = 0.5


def outside_db_findings(
    db_time: dict[str, EndpointDbTime],
    endpoints: Sequence[EndpointStats],
    rule: OutsideDbRule,
    *,
    window: tuple[Any, Any] = (None, None),
    explained: Collection[str] = (),
) -> list[Finding]:
    """A ``time_outside_db`` finding for each endpoint whose average response time is at least
    ``rule.min_avg_ms`` and whose requests spend less than ``rule.max_share`` of it in the
    database. An endpoint the profiler saw no query of spends no time there (if the profiler
    saw any request at all: otherwise it saw nothing and says nothing).

    ``explained``: endpoints with an N+1 in the window. The profiler times each operation on
    the server; the network round trip of every query of a loop is not in it, so a loop of
    fast queries looks like time outside the database — it is the N+1's, not another cause."""
    if not db_time:
        return []
    found = []
    for stats in endpoints:
        if not stats.requests or stats.avg_ms is None or stats.avg_ms < rule.min_avg_ms:
            continue
        if stats.endpoint in explained:
            continue
        seen = db_time.get(stats.endpoint, EndpointDbTime())
        # Requests without a query (served from a cache) count with 0 ms: divide by every
        # request the generator made, unless the profiler saw more (window edges).
        requests = max(stats.requests, seen.requests)
        db_per_request = seen.db_ms / requests
        share = db_per_request / stats.avg_ms
        if share >= rule.max_share:
            continue
        found.append(_finding(stats, seen, requests, db_per_request, share, rule, window))
    return found


def _finding(
    stats: EndpointStats,
    seen: EndpointDbTime,
    requests: int,
    db_per_request: float,
    share: float,
    rule: OutsideDbRule,
    window: tuple[Any, Any],
) -> Finding:
    avg = stats.avg_ms or 0.0
    outside = avg - db_per_request
    severity: Severity = "critical" if outside >= CRITICAL_OUTSIDE_MS else "warning"
    return Finding(
        kind="time_outside_db",
        severity=severity,
        endpoint=stats.endpoint,
        summary=(
            f"{stats.endpoint} takes {avg:,.0f} ms per request on average, of which "
            f"{db_per_request:,.1f} ms in MongoDB ({share:.0%}): {outside:,.0f} ms per request "
            "are spent outside the database"
        ),
        suggestion=(
            "Find what the handler waits on besides the database: a synchronous call to another "
            "service (email/SMTP, payment, an HTTP API), CPU-heavy work, a lock or a connection "
            "pool wait. Move slow side effects to a queue or background job (answer 202 and send "
            "the email later), put a timeout on every outbound call, and trace the handler (APM "
            "spans) to see where the time goes."
        ),
        evidence={
            "requests": stats.requests,
            "db_requests": seen.requests,
            "db_queries": seen.queries,
            "avg_ms": round(avg, 1),
            "p95_ms": stats.p95_ms,
            "db_ms_per_request": round(db_per_request, 1),
            "db_share": round(share, 4),
            "outside_ms_per_request": round(outside, 1),
            "total_ms": round(outside * requests, 1),
            "thresholds": {"min_avg_ms": rule.min_avg_ms, "max_share": rule.max_share},
            "method": "DB time = union of each request's operation intervals (by request id); "
            "response time = the load generator's average",
        },
        first_seen=window[0],
        last_seen=window[1],
    )
