"""``unpaginated_query``: finds and aggregates without a limit that return too much.

Signals, for a find/aggregate with no limit (no ``limit`` and no ``$limit`` stage):

- it returned more than ``[analysis] unpaginated_min_returned`` documents (default 100: the
  server's first batch holds at most 101, so a bigger result needs getMore round trips);
- its cursor stayed open after the first batch, so the result has more documents than it
  returned (a full default first batch of 101 with an open cursor counts);
- getMore batches followed it;
- its reply was larger than ``[analysis] unpaginated_max_bytes`` (default 1 MB);
- its filter is empty and it scanned more documents than the limit above: a whole collection.

Reported per namespace and query shape with the largest and average number returned.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from analyzers.allowlist import AllowList
from analyzers.base import AnalysisContext, merge_keyed
from analyzers.events import EventFields, fields_of, is_cursor_read, iso_seconds, op_kind
from analyzers.fingerprint import base_fingerprint
from analyzers.shape_parts import collection_ref
from perfsight.models import Finding, QueryEvent, Severity, from_epoch

# Largest page size Google's AIP-158 allows; a query returning more is critical.
CRITICAL_RETURNED: Final = 1000
MAX_ENDPOINTS: Final = 10  # endpoints named in the evidence


@dataclass(slots=True)
class _ShapeStats:
    namespace: str
    fingerprint: str
    command: str
    operations: int = 0  # unlimited finds/aggregates of this shape
    flagged: int = 0
    returned_total: int = 0
    returned_max: int = 0
    bytes_max: int = 0
    getmores: int = 0
    getmore_returned: int = 0
    millis: float = 0.0  # time of the operations of this shape (getMores included)
    reasons: Counter[str] = field(default_factory=Counter)
    endpoints: Counter[str] = field(default_factory=Counter)
    first: float = math.inf
    last: float = -math.inf
    # The example: the first flagged operation, unless a later find/aggregate returned more
    # (then the first of those that returned the most). Kept as both candidates so that parts
    # of one input merge to what reading it whole gives.
    first_example: dict[str, Any] | None = None
    first_returned: int = -1
    best_example: dict[str, Any] | None = None
    best_returned: int = -1

    @property
    def example(self) -> dict[str, Any] | None:
        if self.best_example is not None and self.best_returned > self.first_returned:
            return self.best_example
        return self.first_example

    def merge(self, other: _ShapeStats) -> None:
        """Add ``other``, read after this one."""
        for name in (
            "operations",
            "flagged",
            "returned_total",
            "getmores",
            "getmore_returned",
            "millis",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.returned_max = max(self.returned_max, other.returned_max)
        self.bytes_max = max(self.bytes_max, other.bytes_max)
        self.reasons.update(other.reasons)
        for endpoint, count in other.endpoints.items():
            if endpoint in self.endpoints or len(self.endpoints) < MAX_ENDPOINTS:
                self.endpoints[endpoint] += count
        self.first, self.last = min(self.first, other.first), max(self.last, other.last)
        if self.first_example is None:
            self.first_example, self.first_returned = other.first_example, other.first_returned
        if other.best_returned > self.best_returned:
            self.best_example, self.best_returned = other.best_example, other.best_returned


def has_limit(f: EventFields) -> bool:
    if f.limit not in (None, 0):
        return True
    # An aggregate's $limit stage: the fingerprint keeps stage names.
    return (f.command_name or "").lower() == "aggregate" and "$limit" in f.fingerprint


class UnpaginatedQueryAnalyzer:
    name = "unpaginated_query"

    def __init__(self, context: AnalysisContext | None = None) -> None:
        settings = (context or AnalysisContext()).settings
        self.allow = AllowList.from_settings(settings)
        self.min_returned = settings.unpaginated_min_returned
        self.max_bytes = settings.unpaginated_max_bytes
        self._shapes: dict[tuple[str, str], _ShapeStats] = {}
        self._allowed_endpoints: dict[str, bool] = {}

    def feed(self, event: QueryEvent) -> None:
        f = fields_of(event)  # (the compiled record of the event's fields: analyzers.events)
        if f.is_admin or has_limit(f):
            return
        kind = op_kind(f.op, f.command_name)
        if kind != "getmore" and not is_cursor_read(f.op, f.command_name):
            return
        if f.endpoint and self._endpoint_allowed(f.endpoint):
            return
        # A getMore belongs to the find or aggregate that opened its cursor: its fingerprint is
        # that command's plus ".getMore()".
        fingerprint = base_fingerprint(f.fingerprint)
        key = (f.namespace, fingerprint)
        stats = self._shapes.get(key)
        if stats is None:
            command = "getMore" if kind == "getmore" else (f.command_name or "find")
            stats = self._shapes[key] = _ShapeStats(f.namespace, fingerprint, command)
        reasons = self._reasons(f, kind)
        self._record(stats, f, kind, reasons)

    def _endpoint_allowed(self, endpoint: str) -> bool:
        allowed = self._allowed_endpoints.get(endpoint)
        if allowed is None:
            allowed = self._allowed_endpoints[endpoint] = self.allow.allows(endpoint=endpoint)
        return allowed

    def _reasons(self, f: EventFields, kind: str) -> list[str]:
        if kind == "getmore":
            return ["getmore"]
        returned = f.nreturned or 0
        reasons = []
        if returned > self.min_returned:
            reasons.append("returned")
        if f.cursor_exhausted is False and returned + 1 > self.min_returned:
            reasons.append("open_cursor")
        if (f.response_length or 0) > self.max_bytes:
            reasons.append("large_reply")
        scanned = f.docs_examined or 0
        if f.filter_shape is not None and not f.filter_shape and scanned > self.min_returned:
            reasons.append("empty_filter")
        return reasons

    def _record(self, stats: _ShapeStats, f: EventFields, kind: str, reasons: list[str]) -> None:
        returned = f.nreturned or 0
        stats.millis += f.millis
        if kind == "getmore":
            stats.getmores += 1
            stats.getmore_returned += returned
        else:
            stats.operations += 1
            stats.returned_total += returned
            stats.returned_max = max(stats.returned_max, returned)
            stats.bytes_max = max(stats.bytes_max, f.response_length or 0)
        if not reasons:
            return
        stats.flagged += 1
        stats.reasons.update(reasons)
        when = f.epoch
        stats.first, stats.last = min(stats.first, when), max(stats.last, when)
        endpoint = f.endpoint
        if endpoint and (endpoint in stats.endpoints or len(stats.endpoints) < MAX_ENDPOINTS):
            stats.endpoints[endpoint] += 1
        first = stats.first_example is None
        best = kind != "getmore" and returned > stats.best_returned
        if first or best:
            example = {
                "ts": iso_seconds(when),
                "nreturned": f.nreturned,
                "response_length": f.response_length,
                "docs_examined": f.docs_examined,
                "cursor_exhausted": f.cursor_exhausted,
                "endpoint": f.endpoint,
                "request_id": f.request_id,
            }
            if first:
                stats.first_example, stats.first_returned = example, returned
            if best:
                stats.best_example, stats.best_returned = example, returned

    def merge(self, other: UnpaginatedQueryAnalyzer, *, later: bool = True) -> None:
        """Add what another analyzer saw of the input after this one's part (``later`` is
        the only way this analyzer merges: its example keeps the input order)."""
        if not later:
            raise ValueError("the unpaginated-query analyzer merges parts in input order only")
        merge_keyed(self._shapes, other._shapes, _ShapeStats.merge)

    def findings(self) -> list[Finding]:
        found = []
        for (namespace, fingerprint), stats in sorted(self._shapes.items()):
            if not stats.flagged:
                continue
            if self.allow.allows(namespaces=(namespace,), fingerprint=fingerprint):
                continue
            found.append(self._finding(stats))
        return found

    def _finding(self, stats: _ShapeStats) -> Finding:
        avg = stats.returned_total / stats.operations if stats.operations else 0.0
        critical = stats.returned_max > CRITICAL_RETURNED or stats.bytes_max > 10 * self.max_bytes
        severity: Severity = "critical" if critical else "warning"
        parts = [f"returned up to {stats.returned_max} documents (avg {avg:.1f})"]
        if stats.bytes_max:
            parts.append(f"replies up to {stats.bytes_max} bytes")
        if stats.getmores:
            parts.append(f"{stats.getmores} getMore batches ({stats.getmore_returned} documents)")
        collection = stats.namespace.partition(".")[2] or stats.namespace
        if stats.command == "aggregate":
            fix = (
                "Add $sort and $limit stages (page with a range on the sort key of the last "
                "document, or $facet for a page and a total)"
            )
        else:
            fix = (
                f"Page it: {collection_ref(collection)}.find(<filter>).sort({{_id: 1}})"
                ".limit(50), the next page with {_id: {$gt: <last _id>}} (keyset pagination: "
                "skip() slows with depth)"
            )
        return Finding(
            kind="unpaginated_query",
            severity=severity,
            summary=(
                f"Unpaginated {stats.command} on {stats.namespace} without a limit: "
                + "; ".join(parts)
            ),
            suggestion=f"{fix}; expose limit (at most 100) and a cursor on the API.",
            namespace=stats.namespace,
            fingerprint=stats.fingerprint,
            evidence={
                "operations": stats.operations,
                "flagged_operations": stats.flagged,
                "max_returned": stats.returned_max,
                "avg_returned": round(avg, 1),
                "max_response_bytes": stats.bytes_max,
                "getmores": stats.getmores,
                "getmore_returned": stats.getmore_returned,
                "total_ms": round(stats.millis, 3),
                "reasons": dict(sorted(stats.reasons.items())),
                "endpoints": sorted(stats.endpoints),
                "example": stats.example,
                "thresholds": {
                    "min_returned": self.min_returned,
                    "max_bytes": self.max_bytes,
                },
            },
            first_seen=from_epoch(stats.first),
            last_seen=from_epoch(stats.last),
        )
