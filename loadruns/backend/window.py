"""What the database did during a load run: the profiler events of the run's window fed to
every analyzer a run needs — queries per request, N+1 and redundant queries, unpaginated
queries, missing indexes — and the database time of each request (``db_time``).

Load runs report every N+1 pattern whatever its total time (``n_plus_one_min_total = 0``): a
fast loop under a light test load is the slow loop of production. Pure: events in, findings
and metrics out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from analyzers.base import AnalysisContext, Analyzer
from analyzers.nplusone import NPlusOneAnalyzer
from analyzers.pagination import UnpaginatedQueryAnalyzer
from analyzers.queries_per_request import METRIC as QUERIES_METRIC
from analyzers.queries_per_request import QueriesPerRequestAnalyzer
from loadruns.backend.counts import FindingCounts
from loadruns.backend.db_time import DbTimeTracker
from loadruns.verdict import Observation
from perfsight.durations import parse_duration
from perfsight.models import Finding, QueryEvent, epoch
from perfsight.thresholds import Threshold

SOURCE = "profiler (request ids in query comments)"
COUNTED = {"n_plus_one": "n_plus_one", "missing_indexes": "missing_index"}
MAX_SHAPE_ENDPOINTS = 10


def load_run_context(context: AnalysisContext) -> AnalysisContext:
    """The analysis settings of a load run: every N+1 pattern counts, however fast."""
    settings = context.settings.model_copy(update={"n_plus_one_min_total": "0"})
    return replace(context, settings=settings)


class WindowAnalysis:
    def __init__(
        self, context: AnalysisContext, *, extra: Sequence[Analyzer] = (), start: float = 0.0
    ) -> None:
        context = load_run_context(context)
        self.start = start
        self.end = float("inf")
        self.nplusone = NPlusOneAnalyzer(context)
        self.queries = QueriesPerRequestAnalyzer(context)
        self.analyzers: list[Analyzer] = [
            self.nplusone,
            self.queries,
            UnpaginatedQueryAnalyzer(context),
            *extra,
        ]
        self.db_time = DbTimeTracker(parse_duration(context.settings.request_idle))
        self.shape_endpoints: dict[tuple[str, str], Counter[str]] = {}
        self.events = 0
        self.outside = 0  # events read but outside the run's window
        self.first: float | None = None
        self.last: float | None = None

    def feed(self, event: QueryEvent) -> None:
        when = epoch(event.ts)
        if when < self.start or when > self.end:
            self.outside += 1
            return
        self.events += 1
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)
        for analyzer in self.analyzers:
            analyzer.feed(event)
        self.db_time.feed(event)
        if event.endpoint and not event.is_admin:
            seen = self.shape_endpoints.setdefault((event.namespace, event.fingerprint), Counter())
            if event.endpoint in seen or len(seen) < MAX_SHAPE_ENDPOINTS:
                seen[event.endpoint] += 1

    def findings(self) -> list[Finding]:
        found = [f for analyzer in self.analyzers for f in analyzer.findings()]
        return [self._with_endpoints(f) for f in found]

    def _with_endpoints(self, finding: Finding) -> Finding:
        """A finding on a query shape without an endpoint (a missing index) gets the endpoints
        that ran that shape in its evidence, so failures can be attributed to it."""
        if finding.endpoint or finding.evidence.get("endpoints"):
            return finding
        keys: Counter[str] = Counter()
        for fingerprint in _fingerprints(finding):
            keys.update(self.shape_endpoints.get((finding.namespace or "", fingerprint), {}))
        if not keys:
            return finding
        endpoints = [key for key, _count in keys.most_common()]
        return replace(finding, evidence={**finding.evidence, "endpoints": endpoints})

    def metrics(self, findings: Sequence[Finding], seconds: float) -> WindowMetrics:
        return WindowMetrics(
            self.queries, FindingCounts(findings, COUNTED, source=SOURCE, seconds=seconds)
        )

    def summary(self) -> dict[str, Any]:
        coverage = self.nplusone.coverage
        overall = self.queries.overall()
        return {
            "events": self.events,
            "events_outside_window": self.outside,
            "requests": coverage.requests,
            "events_with_request_id": coverage.with_request_id,
            "events_without_request_id": coverage.without_request_id,
            "queries_per_request": overall.to_dict() if overall else None,
            "queries_per_request_by_endpoint": {
                endpoint or "(no route)": stats.to_dict()
                for endpoint, stats in self.queries.per_endpoint().items()
            },
            "db_time_by_endpoint": {k: v.to_dict() for k, v in self.db_time.per_endpoint().items()},
        }


def _fingerprints(finding: Finding) -> list[str]:
    prints = [finding.fingerprint] if finding.fingerprint else []
    for key in ("fingerprints", "shapes"):
        listed = finding.evidence.get(key)
        if isinstance(listed, list):
            prints += [
                str(item.get("fingerprint")) if isinstance(item, dict) else str(item)
                for item in listed
            ]
    return prints


class WindowMetrics:
    """``db_queries_per_request`` from the request ids; ``n_plus_one`` and ``missing_indexes``
    counted from the window's findings."""

    def __init__(self, queries: QueriesPerRequestAnalyzer, counts: FindingCounts) -> None:
        self.queries = queries
        self.counts = counts

    def observe(self, threshold: Threshold) -> Observation | None:
        if threshold.metric == QUERIES_METRIC:
            value = self.queries.observe(threshold)
            if value is None:
                scope = threshold.scope_value("endpoint")
                what = f"no request to {scope}" if scope else "no request"
                return Observation(None, SOURCE, f"{what} with a request id in its queries")
            return Observation(value, SOURCE)
        return self.counts.observe(threshold)
