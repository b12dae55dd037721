"""One HTTP request's database operations, grouped by the request id of their comments.

Operations are kept as small tuples (``Op``) and a request is closed once it has been idle for
``[analysis] request_idle`` of event time, so a million-event log streams in bounded memory.
"""

from __future__ import annotations

from typing import Final

from analyzers.events import client_host, fields_of
from analyzers.shape_table import ShapeTable
from perfsight.models import QueryEvent

# Operations kept per request; a request beyond it is still counted, its extra ops are not kept.
MAX_OPS_PER_REQUEST: Final = 10_000
# No HTTP request runs queries for this long: a "request id" whose queries span more is not one
# (e.g. a constant comment such as "getUser" that labels a query, not a request). Such a group
# is dropped and counted, never analysed as one enormous request.
MAX_REQUEST_SECONDS: Final = 300.0


class Op:
    """One operation as the per-request analyzers keep it. A plain class, not a NamedTuple:
    compiled (``perfsight.compiled``) it is made without a Python-level ``__new__``, once per
    event of every analysis."""

    __slots__ = ("end", "millis", "nreturned", "params", "shape", "start")

    def __init__(
        self,
        start: float,  # epoch seconds: ts (the end) minus millis
        end: float,
        millis: float,
        shape: int,  # ShapeTable id
        params: str | None,  # params_hash: equal shape + equal params = the same query
        nreturned: int | None,
    ) -> None:
        self.start = start
        self.end = end
        self.millis = millis
        self.shape = shape
        self.params = params
        self.nreturned = nreturned

    def __repr__(self) -> str:
        return (
            f"Op(start={self.start!r}, end={self.end!r}, millis={self.millis!r}, "
            f"shape={self.shape!r}, params={self.params!r}, nreturned={self.nreturned!r})"
        )


ClientKey = tuple[str | None, str | None]  # (client host, appName)


# What the per-request analyzers (N+1, redundant queries, queries per request) read of one event,
# worked out once, as plain values — the fields of ``Op``, then the request id, the endpoint and
# the client (host, appName; only without a request id, for bursts). None for an admin command.
# A parallel analysis sends these between processes instead of the events.
RequestValues = tuple[
    float, float, float, int, str | None, int | None, str | None, str | None, ClientKey | None
]
RequestOp = tuple[Op | None, str | None, str | None, ClientKey | None]


class RequestGroup:
    """One request's operations so far (a plain class for the same reason as ``Op``)."""

    __slots__ = ("count", "endpoint", "first_start", "ops")

    def __init__(self) -> None:
        self.endpoint: str | None = None
        self.ops: list[Op] = []
        self.count = 0  # every operation, kept or not
        self.first_start = float("inf")

    def add(self, op: Op, endpoint: str | None) -> None:
        self.count += 1
        if op.start < self.first_start:
            self.first_start = op.start
        if self.endpoint is None and endpoint:
            self.endpoint = endpoint
        ops = self.ops
        if len(ops) < MAX_OPS_PER_REQUEST:
            ops.append(op)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.ops)

    def too_long(self, now: float) -> bool:
        return now - self.first_start > MAX_REQUEST_SECONDS


def request_values(
    event: QueryEvent, shapes: ShapeTable, names: dict[str | None, str | None] | None = None
) -> RequestValues | None:
    """``names``: one string object per request id and endpoint text (pickle then writes each
    once per batch)."""
    f = fields_of(event)  # (the compiled record of the event's fields: analyzers.events)
    if f.is_admin:
        return None
    end = f.epoch
    millis = float(f.millis or 0.0)
    rid, endpoint = f.request_id, f.endpoint
    if names is not None:
        rid, endpoint = names.setdefault(rid, rid), names.setdefault(endpoint, endpoint)
    return (
        end - millis / 1000.0,
        end,
        millis,
        shapes.id_of(f),
        f.params_hash,
        f.nreturned,
        rid,
        endpoint,
        None if rid else (client_host(f.client), f.app_name),
    )


def request_op(values: RequestValues | None) -> RequestOp:
    """``request_values`` as an ``Op`` and the rest."""
    if values is None:
        return None, None, None, None
    start, end, millis, number, params, returned, rid, endpoint, client = values
    op = Op(start, end, millis, number, params, returned)
    return op, rid, endpoint, client
