"""N+1 and redundant queries, per HTTP request (request ids in comments) or, without request
ids, per burst from one client (``confidence: low``).

With request ids, a request's operations are grouped and, once the request has gone quiet,
searched for a query shape run at least ``n_plus_one_min_repeats`` times with distinct
parameters after a source query of another shape, together taking at least
``n_plus_one_min_total`` (Sentry's N+1 detector and Scout APM use 5 and 50/150 ms). The same
query with identical parameters repeated is a ``redundant_query`` instead. A ``$in`` lookup is
the batched fix, never an N+1. Findings are per endpoint × namespace × shape.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from analyzers.allowlist import AllowList
from analyzers.base import AnalysisContext
from analyzers.bursts import BurstDetector, BurstPattern
from analyzers.events import iso_seconds
from analyzers.idle_groups import IdleGroups
from analyzers.nplusone_report import n_plus_one_finding, redundant_finding
from analyzers.pattern_stats import PatternStats
from analyzers.request_patterns import Duplicate, Repeat, Thresholds, find_patterns
from analyzers.requests import ClientKey, Op, RequestGroup, request_op, request_values
from analyzers.shape_table import ShapeTable
from perfsight.durations import parse_duration
from perfsight.models import Finding, QueryEvent

PatternKey = tuple[str | None, int]  # (endpoint, shape id)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the input could be grouped by request: shown next to the findings."""

    events: int
    admin: int
    with_request_id: int
    without_request_id: int
    requests: int
    truncated_requests: int
    # request ids whose queries spanned more than MAX_REQUEST_SECONDS: labels, not requests
    not_requests: int = 0


@dataclass(slots=True)
class _Tables:
    repeats: dict[PatternKey, PatternStats] = field(default_factory=dict)
    duplicates: dict[PatternKey, PatternStats] = field(default_factory=dict)
    bursts: dict[PatternKey, PatternStats] = field(default_factory=dict)
    endpoint_requests: Counter[str | None] = field(default_factory=Counter)
    requests: int = 0
    truncated: int = 0


class _Counts:
    __slots__ = ("admin", "events", "not_requests", "with_request_id", "without_request_id")

    def __init__(self) -> None:  # (plain integers: updated once or twice per event)
        self.events = self.admin = self.not_requests = 0
        self.with_request_id = self.without_request_id = 0


class NPlusOneAnalyzer:
    name = "n_plus_one"

    def __init__(self, context: AnalysisContext | None = None) -> None:
        settings = (context or AnalysisContext()).settings
        self.allow = AllowList.from_settings(settings)
        self.limits = Thresholds(
            min_repeats=settings.n_plus_one_min_repeats,
            min_total_ms=parse_duration(settings.n_plus_one_min_total) * 1000,
            redundant_min=settings.redundant_min_repeats,
        )
        idle = parse_duration(settings.request_idle)
        self.shapes = ShapeTable()
        self._requests: IdleGroups[str, RequestGroup] = IdleGroups(idle, RequestGroup)
        self._bursts = BurstDetector(
            self.shapes, self.limits, max_gap=parse_duration(settings.burst_max_gap), idle=idle
        )
        self._tables = _Tables()
        self._clock = float("-inf")
        self._counts = _Counts()

    # -- feeding ------------------------------------------------------------------------------

    def feed(self, event: QueryEvent) -> None:
        op, rid, endpoint, client = request_op(request_values(event, self.shapes))
        self.feed_op(op, rid, endpoint, client)

    def feed_op(
        self, op: Op | None, rid: str | None, endpoint: str | None, client: ClientKey | None
    ) -> None:
        """One event as ``request_op`` describes it (``op`` None: an admin command); what a
        parallel analysis feeds, in input order, with ``op.shape`` an id of ``self.shapes``."""
        # The hot path of every analysis (once per event): counters are plain lookups, and
        # the idle groups are asked to expire only when their oldest entry may be due.
        counts = self._counts
        counts.events += 1
        if op is None:
            counts.admin += 1
            return
        end = op.end
        if end > self._clock:
            self._clock = end
        if rid:
            counts.with_request_id += 1
            group = self._requests.get(rid, end)
            group.add(op, endpoint)
            if group.too_long(end):
                self._requests.pop(rid)
                counts.not_requests += 1
        else:
            counts.without_request_id += 1
            for pattern in self._bursts.feed(op, client or (None, None), endpoint):
                self._add_burst(self._tables, pattern)
        clock = self._clock
        if self._requests.due(clock):
            for expired_rid, expired_group in self._requests.expired(clock):
                self._add_request(self._tables, expired_rid, expired_group)
        if self._bursts.due(clock):
            for pattern in self._bursts.expire(clock):
                self._add_burst(self._tables, pattern)

    # -- aggregation --------------------------------------------------------------------------

    def _add_request(self, tables: _Tables, rid: str, group: RequestGroup) -> None:
        tables.requests += 1
        tables.truncated += group.truncated
        tables.endpoint_requests[group.endpoint] += 1
        repeats, duplicates = find_patterns(group.ops, self.shapes, self.limits)
        for repeat in repeats:
            example = partial(self._repeat_example, rid, group, repeat)
            _add_run(tables.repeats, group.endpoint, repeat, example)
        for dup in duplicates:
            stats = tables.duplicates.setdefault((group.endpoint, dup.shape), PatternStats())
            stats.extra += dup.extra
            stats.extra_millis += dup.extra_millis
            stats.add(
                queries=dup.copies,
                millis=dup.extra_millis,
                start=dup.start,
                end=dup.end,
                example=partial(self._duplicate_example, rid, group, dup),
            )

    def _add_burst(self, tables: _Tables, pattern: BurstPattern) -> None:
        host, app = pattern.client
        client = " ".join(part for part in (host, f"appName={app}" if app else None) if part)
        run = pattern.run

        def example() -> dict[str, Any]:
            return {
                "client": client or None,
                **self._run_example(run),
                "source_returned": pattern.source_returned,
            }

        _add_run(tables.bursts, pattern.endpoint, run, example, client or "unknown client")

    def _run_example(self, run: Repeat) -> dict[str, Any]:
        return {
            "queries": run.queries,
            "distinct_params": run.distinct,
            "ms": round(run.millis, 1),
            "started": iso_seconds(run.start),
            "source_fingerprint": self.shapes[run.source].fingerprint,
        }

    def _repeat_example(self, rid: str, group: RequestGroup, repeat: Repeat) -> dict[str, Any]:
        return {"request_id": rid, **self._run_example(repeat), "request_queries": group.count}

    def _duplicate_example(self, rid: str, group: RequestGroup, dup: Duplicate) -> dict[str, Any]:
        return {
            "request_id": rid,
            "copies": dup.copies,
            "repeated_queries": dup.extra,
            "wasted_ms": round(dup.extra_millis, 1),
            "request_queries": group.count,
            "started": iso_seconds(dup.start),
        }

    # -- results ------------------------------------------------------------------------------

    @property
    def open_requests(self) -> int:
        """Requests still waiting to go idle: what the analyzer holds in memory."""
        return len(self._requests)

    @property
    def coverage(self) -> Coverage:
        open_groups = [group for _rid, group in self._requests.items()]
        return Coverage(
            events=self._counts.events,
            admin=self._counts.admin,
            with_request_id=self._counts.with_request_id,
            without_request_id=self._counts.without_request_id,
            requests=self._tables.requests + len(open_groups),
            truncated_requests=self._tables.truncated + sum(g.truncated for g in open_groups),
            not_requests=self._counts.not_requests,
        )

    def _snapshot(self) -> _Tables:
        """The tables with the still-open requests and bursts counted in; those stay open."""
        tables = copy.deepcopy(self._tables)
        for rid, group in self._requests.items():
            self._add_request(tables, rid, group)
        for pattern in self._bursts.open_patterns():
            self._add_burst(tables, pattern)
        return tables

    def findings(self) -> list[Finding]:
        tables = self._snapshot()
        found: list[Finding] = []
        thresholds = {
            "min_repeats": self.limits.min_repeats,
            "min_total_ms": self.limits.min_total_ms,
        }
        for (endpoint, shape_id), stats in sorted(tables.repeats.items(), key=_order):
            shape = self.shapes[shape_id]
            if self._allowed(endpoint, shape_id):
                continue
            source = stats.main_source
            found.append(
                n_plus_one_finding(
                    endpoint,
                    shape,
                    self.shapes[source] if source is not None else None,
                    stats,
                    endpoint_requests=tables.endpoint_requests[endpoint],
                    confidence="high",
                    settings=thresholds,
                )
            )
        covered = {shape_id for _endpoint, shape_id in tables.repeats}
        for (endpoint, shape_id), stats in sorted(tables.bursts.items(), key=_order):
            if shape_id in covered or self._allowed(endpoint, shape_id):
                continue  # request ids already showed it, with certainty
            source = stats.main_source
            found.append(
                n_plus_one_finding(
                    endpoint,
                    self.shapes[shape_id],
                    self.shapes[source] if source is not None else None,
                    stats,
                    endpoint_requests=None,
                    confidence="low",
                    settings=thresholds,
                )
            )
        for (endpoint, shape_id), stats in sorted(tables.duplicates.items(), key=_order):
            if self._allowed(endpoint, shape_id):
                continue
            found.append(
                redundant_finding(
                    endpoint,
                    self.shapes[shape_id],
                    stats,
                    endpoint_requests=tables.endpoint_requests[endpoint],
                    warn_copies=self.limits.min_repeats,
                )
            )
        return found

    def _allowed(self, endpoint: str | None, shape_id: int) -> bool:
        shape = self.shapes[shape_id]
        return self.allow.allows(
            endpoint=endpoint, namespaces=(shape.namespace,), fingerprint=shape.fingerprint
        )


def _add_run(
    table: dict[PatternKey, PatternStats],
    endpoint: str | None,
    run: Repeat,
    example: Callable[[], dict[str, Any]],
    client: str | None = None,
) -> None:
    stats = table.setdefault((endpoint, run.shape), PatternStats())
    stats.add(
        queries=run.queries,
        millis=run.millis,
        start=run.start,
        end=run.end,
        source=run.source,
        example=example,
        client=client,
    )


def _order(item: tuple[PatternKey, PatternStats]) -> tuple[str, int]:
    (endpoint, shape_id), _stats = item
    return (endpoint or "", shape_id)
