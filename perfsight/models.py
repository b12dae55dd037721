"""The shared contracts of perfsight: endpoint keys, request ids, findings, query events.

These shapes are used as they are by collectors, analyzers, load runs, reports and the dashboard.
Change one only everywhere at once, with its tests (see README "Shared contracts").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import orjson

# ---------------------------------------------------------------------------------------------
# Endpoint key: "METHOD /route/template"
# ---------------------------------------------------------------------------------------------

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def endpoint_key(method: str, route: str) -> str:
    """The one name an endpoint has everywhere: ``endpoint_key("get", "/api/x/{id}")``."""
    return f"{method.strip().upper()} {route.strip()}"


def split_endpoint_key(key: str) -> tuple[str | None, str]:
    """``"GET /a"`` → ``("GET", "/a")``; a bare path (a Locust request name) → ``(None, path)``."""
    head, sep, rest = key.strip().partition(" ")
    if sep and head.upper() in HTTP_METHODS:
        return head.upper(), rest.strip()
    return None, key.strip()


def endpoint_matches(scope: str, key: str) -> bool:
    """Whether a threshold scope ``{endpoint:X}`` selects the endpoint ``key``.

    X equal to the key matches; X given as a bare path matches that path under any method, and a
    key that is itself a bare path (requests named by path) matches an X with the same path.
    """
    scope_method, scope_path = split_endpoint_key(scope)
    key_method, key_path = split_endpoint_key(key)
    if scope_path != key_path:
        return False
    return scope_method is None or key_method is None or scope_method == key_method


# ---------------------------------------------------------------------------------------------
# Request id and route carried in a query's comment
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What a query comment says about the HTTP request that issued the query."""

    request_id: str | None
    route: str | None


NO_REQUEST = RequestContext(None, None)


def request_context(
    comment: Any,
    *,
    rid_key: str = "rid",
    route_key: str = "route",
    regex: re.Pattern[str] | None = None,
) -> RequestContext:
    """Read the request id and route from a MongoDB ``comment``.

    A document (or a JSON string of one) gives its ``rid_key`` and ``route_key`` values. Any other
    string is the request id as a whole, unless ``regex`` is given: then its named groups ``rid``
    (or the whole match) and optionally ``route`` are used, and a string it does not match carries
    no request id.
    """
    if comment is None:
        return NO_REQUEST
    if isinstance(comment, str):
        text = comment.strip()
        if text.startswith("{"):
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                return _context_from_document(parsed, rid_key, route_key)
        if regex is not None:
            match = regex.search(text)
            if match is None:
                return NO_REQUEST
            groups = match.groupdict()
            rid = groups.get("rid") or match.group(0)
            return RequestContext(rid or None, groups.get("route") or None)
        return RequestContext(text or None, None)
    if isinstance(comment, Mapping):
        return _context_from_document(comment, rid_key, route_key)
    return NO_REQUEST


def _context_from_document(doc: Mapping[str, Any], rid_key: str, route_key: str) -> RequestContext:
    rid = doc.get(rid_key)
    route = doc.get(route_key)
    return RequestContext(
        str(rid) if rid not in (None, "") else None,
        str(route) if route not in (None, "") else None,
    )


# ---------------------------------------------------------------------------------------------
# QueryEvent: one database operation, from a profiler document or a slow-query log line
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryEvent:
    """One database operation, normalised from any MongoDB source (see DESIGN.md).

    ``ts`` is when the operation ended (the profiler's meaning), timezone-aware UTC. Counters the
    source did not report are ``None``, never 0. ``fingerprint`` masks every literal (mongosh
    text, e.g. ``db.leads.find({"tenant":"?"}).limit(?)``; it names the collection, not the
    database: the shape is ``namespace`` + ``fingerprint``); ``params_hash`` hashes the literals
    and the namespace, so two events with equal fingerprints and equal ``params_hash`` are the
    same query with the same parameters.

    Field notes: ``op`` is the profiler's operation type (``query`` for find, ``getmore``,
    ``update``, ``remove``, ``insert``, ``command``); ``command_name`` the command (``find``,
    ``aggregate``, ``getMore``…). A getMore carries the fingerprint, filter and sort of the
    command that opened its cursor (fingerprint + ``.getMore()``). ``filter_shape`` and
    ``projection`` are masked (literals are ``"?"``). ``limit``/``skip`` come from find, count
    and the first ``$limit``/``$skip`` of a pipeline. ``cursor_exhausted`` is None for
    operations that open no cursor. ``client`` is the profiler's ``client`` or the log's
    ``remote`` (with its port). ``is_admin`` marks admin and diagnostic commands (hello,
    listIndexes, serverStatus, $collStats pipelines…, anything on admin/config/local or a
    ``system.*`` collection): kept as events, never analysed as queries. ``n_matched`` (updates,
    findAndModify) and ``n_deleted`` (deletes) stand in for ``nreturned`` for writes.
    ``query_hash`` is ``queryHash`` (4.2–7.x) or ``planCacheShapeHash`` (8.0);
    ``query_shape_hash`` is 8.0's ``queryShapeHash``. ``truncated`` marks a command the server
    stored as ``{"$truncated": …}`` (over 50 KB): its shape is unknown. ``source`` is
    ``"<file>:<line>"``; ``raw`` the source document (the log line or profile document).
    """

    ts: datetime
    op: str
    namespace: str
    command_name: str | None
    fingerprint: str
    millis: float
    filter_shape: Mapping[str, Any] | None = None
    sort: tuple[tuple[str, int], ...] | None = None
    limit: int | None = None
    projection: Mapping[str, Any] | None = None
    docs_examined: int | None = None
    keys_examined: int | None = None
    nreturned: int | None = None
    response_length: int | None = None
    plan_summary: str | None = None
    has_sort_stage: bool = False
    used_disk: bool = False
    query_hash: str | None = None
    client: str | None = None
    app_name: str | None = None
    request_id: str | None = None
    endpoint: str | None = None
    params_hash: str | None = None
    cursor_exhausted: bool | None = None
    is_admin: bool = False
    error: str | None = None
    source: str | None = None
    raw: Mapping[str, Any] | None = None
    skip: int | None = None
    n_matched: int | None = None
    n_deleted: int | None = None
    query_shape_hash: str | None = None
    truncated: bool = False

    @property
    def returned(self) -> int | None:
        """Documents the operation returned, or for a write those it matched or deleted."""
        if self.nreturned is not None:
            return self.nreturned
        return self.n_matched if self.n_matched is not None else self.n_deleted

    @property
    def database(self) -> str:
        return self.namespace.partition(".")[0]

    @property
    def collection(self) -> str:
        return self.namespace.partition(".")[2]


# ---------------------------------------------------------------------------------------------
# Finding: what an analyzer reports
# ---------------------------------------------------------------------------------------------

FindingKind = Literal[
    "missing_index",
    "unused_index",
    "n_plus_one",
    "redundant_query",
    "unpaginated_query",
    "unpaginated_endpoint",
    "uncompressed_response",
    "missing_cache_control",
    "slow_endpoint",
    "low_cache_hit",
    "time_outside_db",
]
FINDING_KINDS: tuple[str, ...] = get_args(FindingKind)

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

Confidence = Literal["high", "low"]
CONFIDENCES: tuple[str, ...] = get_args(Confidence)

IndexKey = tuple[tuple[str, int | str], ...]


def finding_id(
    kind: str, namespace: str | None, endpoint: str | None, fingerprint: str | None
) -> str:
    """The stable identity of a finding: acknowledge and diff key on it, so never change it."""
    parts = (kind, namespace or "", endpoint or "", fingerprint or "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    severity: Severity
    summary: str
    suggestion: str
    namespace: str | None = None
    endpoint: str | None = None
    fingerprint: str | None = None
    confidence: Confidence = "high"
    evidence: Mapping[str, Any] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    index: IndexKey | None = None
    id: str = field(init=False)

    def __post_init__(self) -> None:
        if self.kind not in FINDING_KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"unknown confidence {self.confidence!r}")
        if self.kind == "missing_index" and not self.index:
            raise ValueError("a missing_index finding needs its index")
        ident = finding_id(self.kind, self.namespace, self.endpoint, self.fingerprint)
        object.__setattr__(self, "id", ident)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``perfsight/schemas/finding.schema.json``)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity,
            "confidence": self.confidence,
            "namespace": self.namespace,
            "endpoint": self.endpoint,
            "fingerprint": self.fingerprint,
            "summary": self.summary,
            "suggestion": self.suggestion,
            "evidence": dict(self.evidence),
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "index": [list(pair) for pair in self.index] if self.index is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        index = data.get("index")
        return cls(
            kind=data["kind"],
            severity=data["severity"],
            confidence=data.get("confidence", "high"),
            namespace=data.get("namespace"),
            endpoint=data.get("endpoint"),
            fingerprint=data.get("fingerprint"),
            summary=data["summary"],
            suggestion=data["suggestion"],
            evidence=dict(data.get("evidence") or {}),
            first_seen=parse_iso(data.get("first_seen")),
            last_seen=parse_iso(data.get("last_seen")),
            index=tuple((str(f), d) for f, d in index) if index else None,
        )


# ---------------------------------------------------------------------------------------------
# Time helpers shared by the records
# ---------------------------------------------------------------------------------------------


def utcnow() -> datetime:
    return datetime.now(UTC)


def epoch(ts: datetime) -> float:
    """Seconds since the epoch; a naive datetime is UTC (the profiler's and logv2's zone)."""
    return (ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)).timestamp()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; naive datetimes are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
