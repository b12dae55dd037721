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


class _LastEpoch:
    __slots__ = ("ts", "value")

    def __init__(self) -> None:
        self.ts: datetime | None = None  # held, so its identity cannot be reused meanwhile
        self.value = 0.0


_LAST_EPOCH: Final = _LastEpoch()


def epoch_of(ts: datetime) -> float:
    """``perfsight.models.epoch(ts)``, worked out once per event: the shape statistics and the
    per-request analyzers each need it, and ``datetime.timestamp()`` costs more than the rest
    of what they read."""
    last = _LAST_EPOCH
    if ts is last.ts:
        return last.value
    value = ts.timestamp() if ts.tzinfo is not None else epoch(ts)
    last.ts = ts
    last.value = value
    return value


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


def returned_of(event: QueryEvent, nreturned: int | None) -> int | None:
    """``event.returned`` given its ``nreturned`` (already read): the property's rule, here
    compiled for the analyzers' per-event path."""
    if nreturned is not None:
        return nreturned
    matched = event.n_matched
    return matched if matched is not None else event.n_deleted


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
