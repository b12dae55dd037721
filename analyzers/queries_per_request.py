"""``db_queries_per_request``: how many database operations each HTTP request issued, per
endpoint (avg, med, p95, max), from the request ids in query comments.

The plan's target is 2–5 queries per request. This analyzer measures; it reports no findings
itself (N+1 and redundant queries explain a high count). Requests are counted once they have
gone quiet for ``[analysis] request_idle``; still-open ones are included in every read-out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from analyzers import distribution
from analyzers.base import AnalysisContext
from analyzers.events import fields_of
from analyzers.idle_groups import IdleGroups
from analyzers.requests import MAX_REQUEST_SECONDS, ClientKey, Op
from perfsight.durations import parse_duration
from perfsight.models import Finding, QueryEvent, endpoint_matches
from perfsight.thresholds import Threshold

METRIC = "db_queries_per_request"


@dataclass(frozen=True, slots=True)
class QueryCountStats:
    """The distribution of queries per request of one endpoint (or of all of them)."""

    requests: int
    avg: float
    min: int
    med: float
    p95: float
    max: int
    counts: tuple[tuple[int, int], ...]  # (queries, requests), ascending

    @classmethod
    def of(cls, counts: Counter[int]) -> QueryCountStats | None:
        if not counts:
            return None
        return cls(
            requests=distribution.total(counts),
            avg=distribution.mean(counts) or 0.0,
            min=min(counts),
            med=distribution.median(counts) or 0.0,
            p95=distribution.percentile(counts, 95) or 0.0,
            max=max(counts),
            counts=tuple(sorted(counts.items())),
        )

    def value(self, stat: str) -> float | None:
        """A threshold's statistic: ``avg``, ``min``, ``med``, ``max`` or ``pN`` (``p99.9``)."""
        if stat in ("avg", "min", "med", "max"):
            return float(getattr(self, stat))
        if stat.startswith("p"):
            return distribution.percentile(dict(self.counts), float(stat[1:]))
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "avg": round(self.avg, 3),
            "min": self.min,
            "med": self.med,
            "p95": self.p95,
            "max": self.max,
        }


class _Request:
    __slots__ = ("count", "endpoint", "first")

    def __init__(self) -> None:  # (not a dataclass: compiled, this is made once per request)
        self.count = 0
        self.endpoint: str | None = None
        self.first = float("inf")


class QueriesPerRequestAnalyzer:
    name = METRIC

    def __init__(self, context: AnalysisContext | None = None) -> None:
        settings = (context or AnalysisContext()).settings
        self._open: IdleGroups[str, _Request] = IdleGroups(
            parse_duration(settings.request_idle), _Request
        )
        self._done: defaultdict[str | None, Counter[int]] = defaultdict(Counter)
        self._clock = float("-inf")

    def feed(self, event: QueryEvent) -> None:
        f = fields_of(event)  # (the compiled record of the event's fields: analyzers.events)
        rid = f.request_id
        if f.is_admin or not rid:
            return  # without a request id there is no request to count for
        self._count(f.epoch, rid, f.endpoint)

    def feed_op(
        self, op: Op | None, rid: str | None, endpoint: str | None, _client: ClientKey | None
    ) -> None:
        """One event as ``analyzers.requests.request_op`` describes it (as ``NPlusOneAnalyzer``)."""
        if op is not None and rid:
            self._count(op.end, rid, endpoint)

    def _count(self, now: float, rid: str, endpoint: str | None) -> None:
        if now > self._clock:
            self._clock = now
        request = self._open.get(rid, now)
        request.count += 1
        if now < request.first:
            request.first = now
        if request.endpoint is None and endpoint:
            request.endpoint = endpoint
        if now - request.first > MAX_REQUEST_SECONDS:  # a label, not a request id
            self._open.pop(rid)
        if self._open.due(self._clock):
            for _rid, done in self._open.expired(self._clock):
                self._done[done.endpoint][done.count] += 1

    def findings(self) -> list[Finding]:
        return []

    def _counts(self) -> dict[str | None, Counter[int]]:
        merged = {endpoint: Counter(counts) for endpoint, counts in self._done.items()}
        for _rid, request in self._open.items():
            merged.setdefault(request.endpoint, Counter())[request.count] += 1
        return merged

    def per_endpoint(self) -> dict[str | None, QueryCountStats]:
        """Endpoint key (None: requests whose comments carry no route) -> distribution."""
        out: dict[str | None, QueryCountStats] = {}
        for endpoint, counts in sorted(self._counts().items(), key=lambda kv: kv[0] or ""):
            stats = QueryCountStats.of(counts)
            if stats is not None:
                out[endpoint] = stats
        return out

    def overall(self) -> QueryCountStats | None:
        return QueryCountStats.of(distribution.merge(list(self._counts().values())))

    def observe(self, threshold: Threshold) -> float | None:
        """The value a ``db_queries_per_request`` threshold compares; None: nothing measured
        (the threshold is then ``not_measured``, never passed)."""
        if threshold.metric != METRIC:
            raise ValueError(f"{threshold.name} is not a {METRIC} threshold")
        scope = threshold.scope_value("endpoint")
        counts = self._counts()
        if scope is not None:
            parts = [
                c for ep, c in counts.items() if ep is not None and endpoint_matches(scope, ep)
            ]
        else:
            parts = list(counts.values())
        stats = QueryCountStats.of(distribution.merge(parts))
        return None if stats is None else stats.value(threshold.stat)
