"""The words and numbers of N+1 and redundant-query findings: what a person needs to trust the
finding and the concrete change that fixes it."""

from __future__ import annotations

from typing import Any

from analyzers.pattern_stats import PatternStats
from analyzers.shape_parts import collection_ref
from analyzers.shape_table import Shape
from perfsight.models import Confidence, Finding, FindingKind, Severity, from_epoch

# A pattern costing this much per request is critical (Sentry's slow DB query line: 500 ms), as
# is one repeating this many times (median).
CRITICAL_MS = 500.0
CRITICAL_QUERIES = 50


def _round(value: float) -> float:
    return round(value, 1)


def _where(endpoint: str | None) -> str:
    return endpoint if endpoint else "requests without a route"


def _finding(
    kind: FindingKind,
    endpoint: str | None,
    shape: Shape,
    stats: PatternStats,
    **text: Any,
) -> Finding:
    """A finding on one endpoint × namespace × shape, seen from the pattern's first to last."""
    return Finding(
        kind=kind,
        namespace=shape.namespace,
        endpoint=endpoint,
        fingerprint=shape.fingerprint,
        first_seen=from_epoch(stats.first),
        last_seen=from_epoch(stats.last),
        **text,
    )


def _lookup_example(shape: Shape) -> str:
    field = shape.fields[0] if shape.fields else "<field>"
    return f'{collection_ref(shape.collection)}.find({{"{field}": {{"$in": [...]}}}})'


def _n_plus_one_fix(shape: Shape, source: Shape | None) -> str:
    per = f"{source.collection} document" if source else "document"
    if shape.kind == "write":
        return (
            f"Batch the writes: one {collection_ref(shape.collection)}.bulkWrite([...]) "
            f"(or insertMany / updateMany) instead of one write per {per}."
        )
    where = f" from {source.collection}" if source else ""
    return (
        f"Load the {shape.collection} documents in one query instead of one per {per}: "
        f"{_lookup_example(shape)} with the ids collected first, Mongoose .populate(), or a "
        f"$lookup stage{where}."
    )


def n_plus_one_finding(
    endpoint: str | None,
    shape: Shape,
    source: Shape | None,
    stats: PatternStats,
    *,
    endpoint_requests: int | None,
    confidence: Confidence,
    settings: dict[str, Any],
) -> Finding:
    median = stats.median_queries
    avg_ms = stats.avg_millis
    severity: Severity = (
        "critical" if avg_ms >= CRITICAL_MS or median >= CRITICAL_QUERIES else "warning"
    )
    unit = "requests" if confidence == "high" else "bursts"
    seen = f"{stats.occurrences} {unit}"
    if endpoint_requests:
        seen = f"{stats.occurrences} of {endpoint_requests} requests"
    after = f" after {source.namespace}" if source else ""
    summary = (
        f"N+1 in {_where(endpoint)}: {median:g} {shape.namespace} queries of one shape per "
        f"{'request' if confidence == 'high' else 'burst'} (median){after}, "
        f"{_round(avg_ms)} ms each time; seen in {seen}"
    )
    if confidence == "low":
        summary += " (no request ids: grouped by client and timing)"
    evidence: dict[str, Any] = {
        "detection": "request_id" if confidence == "high" else "burst",
        unit: stats.occurrences,
        "median_queries": median,
        "max_queries": stats.max_queries,
        "total_ms": _round(stats.millis),
        "avg_ms": _round(avg_ms),
        "max_ms": _round(stats.max_millis),
        "source_namespace": source.namespace if source else None,
        "source_fingerprint": source.fingerprint if source else None,
        "example": stats.example,
        "thresholds": settings,
    }
    if endpoint_requests is not None:
        evidence["endpoint_requests"] = endpoint_requests
    if stats.clients:
        evidence["clients"] = list(stats.clients)
    return _finding(
        "n_plus_one",
        endpoint,
        shape,
        stats,
        severity=severity,
        confidence=confidence,
        summary=summary,
        suggestion=_n_plus_one_fix(shape, source),
        evidence=evidence,
    )


def redundant_finding(
    endpoint: str | None,
    shape: Shape,
    stats: PatternStats,
    *,
    endpoint_requests: int | None,
    warn_copies: int,
) -> Finding:
    severity: Severity = "warning" if stats.max_queries >= warn_copies else "info"
    summary = (
        f"Redundant query in {_where(endpoint)}: the same {shape.namespace} query with the same "
        f"parameters runs {stats.median_queries:g} times in one request (median), in "
        f"{stats.occurrences} requests; {stats.extra} repeated runs, {_round(stats.extra_millis)} "
        "ms wasted"
    )
    evidence: dict[str, Any] = {
        "requests": stats.occurrences,
        "median_copies": stats.median_queries,
        "max_copies": stats.max_queries,
        "repeated_queries": stats.extra,
        "wasted_ms": _round(stats.extra_millis),
        "example": stats.example,
    }
    if endpoint_requests is not None:
        evidence["endpoint_requests"] = endpoint_requests
    return _finding(
        "redundant_query",
        endpoint,
        shape,
        stats,
        severity=severity,
        summary=summary,
        suggestion=(
            "Run it once per request and reuse the result (pass it down, memoise it for the "
            "request, or batch it with a DataLoader); if it rarely changes, cache it in Redis "
            f"with a TTL. Shape: {shape.fingerprint}"
        ),
        evidence=evidence,
    )
