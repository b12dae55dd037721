"""What the N+1 and pagination analyzers need to know about one ``QueryEvent``: when it started
and ended, whether it reads or writes, whether it is a batched ``$in``, who sent it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal

from perfsight.models import QueryEvent, epoch, from_epoch

OpKind = Literal["read", "write", "getmore", "other"]

READ_COMMANDS: Final = frozenset({"find", "aggregate", "count", "distinct"})
CURSOR_COMMANDS: Final = frozenset({"find", "aggregate"})
WRITE_COMMANDS: Final = frozenset({"insert", "update", "delete", "findandmodify"})
_OP_KINDS: Final[dict[str, OpKind]] = {
    "query": "read",
    "getmore": "getmore",
    "insert": "write",
    "update": "write",
    "remove": "write",
}


class EventFields:
    """The fields of one ``QueryEvent`` the per-event analyzers read, and its end as epoch
    seconds, as a compiled record. ``QueryEvent`` is a Python slots dataclass (the shared
    contract): compiled code reads its fields with a generic attribute lookup, ~160
    instructions each, and the shape statistics, the index advisor, the unpaginated-query
    analyzer and the per-request analyzers read some 55 of them per event between them; a
    field of this record is a plain C struct read. ``fields_of(event)`` gives it, worked out
    once per event (see ``remember``)."""

    __slots__ = (
        "app_name",
        "client",
        "command_name",
        "cursor_exhausted",
        "docs_examined",
        "endpoint",
        "epoch",
        "error",
        "event",
        "filter_shape",
        "fingerprint",
        "has_sort_stage",
        "is_admin",
        "keys_examined",
        "limit",
        "millis",
        "n_deleted",
        "n_matched",
        "namespace",
        "nreturned",
        "op",
        "params_hash",
        "plan_summary",
        "query_hash",
        "request_id",
        "response_length",
        "sort",
        "truncated",
        "ts",
        "used_disk",
    )

    def __init__(  # positional, in QueryEvent's field order: see fields_of
        self,
        event: QueryEvent,
        ts: datetime,
        op: str,
        namespace: str,
        command_name: str | None,
        fingerprint: str,
        millis: float,
        filter_shape: Mapping[str, Any] | None,
        sort: tuple[tuple[str, int], ...] | None,
        limit: int | None,
        docs_examined: int | None,
        keys_examined: int | None,
        nreturned: int | None,
        response_length: int | None,
        plan_summary: str | None,
        has_sort_stage: bool,
        used_disk: bool,
        query_hash: str | None,
        client: str | None,
        app_name: str | None,
        request_id: str | None,
        endpoint: str | None,
        params_hash: str | None,
        cursor_exhausted: bool | None,
        is_admin: bool,
        error: str | None,
        n_matched: int | None,
        n_deleted: int | None,
        truncated: bool,
    ) -> None:
        self.event = event
        self.ts = ts
        self.epoch = ts.timestamp() if ts.tzinfo is not None else epoch(ts)
        self.op = op
        self.namespace = namespace
        self.command_name = command_name
        self.fingerprint = fingerprint
        self.millis = millis
        self.filter_shape = filter_shape
        self.sort = sort
        self.limit = limit
        self.docs_examined = docs_examined
        self.keys_examined = keys_examined
        self.nreturned = nreturned
        self.response_length = response_length
        self.plan_summary = plan_summary
        self.has_sort_stage = has_sort_stage
        self.used_disk = used_disk
        self.query_hash = query_hash
        self.client = client
        self.app_name = app_name
        self.request_id = request_id
        self.endpoint = endpoint
        self.params_hash = params_hash
        self.cursor_exhausted = cursor_exhausted
        self.is_admin = is_admin
        self.error = error
        self.n_matched = n_matched
        self.n_deleted = n_deleted
        self.truncated = truncated

    @property
    def returned(self) -> int | None:
        """``QueryEvent.returned``: nreturned, or for a write what it matched or deleted."""
        if self.nreturned is not None:
            return self.nreturned
        return self.n_matched if self.n_matched is not None else self.n_deleted


class _Last:
    __slots__ = ("fields",)

    def __init__(self) -> None:
        # the record of the event analysed last; it holds the event, so the identity check
        # in fields_of cannot be fooled by a new event at a freed one's address
        self.fields: EventFields | None = None


_LAST: Final = _Last()


def fields_of(event: QueryEvent) -> EventFields:
    """The ``EventFields`` of ``event``: the one ``remember``ed for it (the normaliser makes it
    from the values it built the event from, reading nothing back), else read once."""
    last = _LAST.fields
    if last is not None and last.event is event:
        return last
    fields = EventFields(
        event,
        event.ts,
        event.op,
        event.namespace,
        event.command_name,
        event.fingerprint,
        event.millis,
        event.filter_shape,
        event.sort,
        event.limit,
        event.docs_examined,
        event.keys_examined,
        event.nreturned,
        event.response_length,
        event.plan_summary,
        event.has_sort_stage,
        event.used_disk,
        event.query_hash,
        event.client,
        event.app_name,
        event.request_id,
        event.endpoint,
        event.params_hash,
        event.cursor_exhausted,
        event.is_admin,
        event.error,
        event.n_matched,
        event.n_deleted,
        event.truncated,
    )
    _LAST.fields = fields  # (one pointer store: another thread sees the old record or this)
    return fields


def remember(fields: EventFields) -> None:
    """Make ``fields`` what ``fields_of(fields.event)`` gives next."""
    _LAST.fields = fields


def op_kind(op: str, command_name: str | None) -> OpKind:
    """Reads, writes and getMores: profiler ``op`` values and logv2/command names both count."""
    name = (command_name or "").lower()
    if name == "getmore" or op == "getmore":
        return "getmore"
    if name in READ_COMMANDS:
        return "read"
    if name in WRITE_COMMANDS:
        return "write"
    return _OP_KINDS.get(op, "other")


def is_cursor_read(op: str, command_name: str | None) -> bool:
    """A find or an aggregate: the operations that return documents in batches."""
    name = (command_name or "").lower()
    return name in CURSOR_COMMANDS or (not name and op == "query")


def has_operator(shape: Any, operator: str) -> bool:
    """Whether ``operator`` is a key anywhere in a filter shape (inside ``$and``/``$or`` too)."""
    if isinstance(shape, Mapping):
        return any(key == operator or has_operator(value, operator) for key, value in shape.items())
    if isinstance(shape, list | tuple):
        return any(has_operator(item, operator) for item in shape)
    return False


def is_batched_in(filter_shape: Mapping[str, Any] | None, fingerprint: str) -> bool:
    """A query that loads many documents at once with ``$in``: the fix for N+1, never one."""
    if filter_shape is not None:
        return has_operator(filter_shape, "$in")
    # No parsed filter: fingerprints keep keys and operators ('"$in"' or '$in:').
    return '"$in"' in fingerprint or "$in:" in fingerprint or "'$in'" in fingerprint


def equality_fields(filter_shape: Mapping[str, Any] | None) -> list[str]:
    """The plain field names at the top of a filter: what a loop looks documents up by."""
    if not filter_shape:
        return []
    return [key for key in filter_shape if not key.startswith("$")]


def client_host(client: str | None) -> str | None:
    """``10.0.0.5:51234`` → ``10.0.0.5``: a connection pool gives one client many ports."""
    if not client:
        return None
    text = client.strip()
    if text.startswith("["):  # [::1]:27017
        return text[1:].partition("]")[0] or None
    host, sep, port = text.rpartition(":")
    if sep and port.isdigit() and host and ":" not in host:
        return host
    return text


def iso_seconds(seconds: float) -> str:
    """An epoch time as ISO 8601 UTC with milliseconds and a ``Z``."""
    return from_epoch(seconds).isoformat(timespec="milliseconds").replace("+00:00", "Z")
