"""Hand-built QueryEvent streams: a request of an itinerary API, its loop, and helpers to
interleave several of them the way a busy server's profiler records them (by end time)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from perfsight.models import QueryEvent

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENDPOINT = "GET /api/itineraries/{id}"
DAYS_FP = 'db.days.find({"itineraryId":"?"})'
SERVICES_FP = 'db.services.find({"dayId":"?"})'
HOTELS_FP = 'db.hotels.find({"_id":"?"})'
ITINERARY_FP = 'db.itineraries.find({"_id":"?"})'
SERVICES_IN_FP = 'db.services.find({"dayId":{"$in":["?"]}})'


def params(*values: object) -> str:
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def q(
    start_ms: float,
    namespace: str,
    fingerprint: str,
    *,
    millis: float = 10,
    rid: str | None = None,
    endpoint: str | None = ENDPOINT,
    value: object = None,
    filter_shape: Mapping[str, Any] | None = None,
    nreturned: int | None = 1,
    client: str | None = None,
    app_name: str | None = None,
    op: str = "query",
    command: str | None = "find",
    **extra: Any,
) -> QueryEvent:
    """One operation that started ``start_ms`` after T0 and took ``millis`` (ts is its end)."""
    return QueryEvent(
        ts=T0 + timedelta(milliseconds=start_ms + millis),
        op=op,
        namespace=namespace,
        command_name=command,
        fingerprint=fingerprint,
        millis=millis,
        filter_shape=filter_shape,
        nreturned=nreturned,
        request_id=rid,
        endpoint=endpoint,
        params_hash=params(namespace, fingerprint, value) if value is not None else None,
        client=client,
        app_name=app_name,
        **extra,
    )


def itinerary_request(
    rid: str | None,
    start_ms: float,
    *,
    days: int = 7,
    lookup_ms: float = 10,
    same_value: bool = False,
    concurrent: bool = False,
    client: str | None = None,
    gap_ms: float = 1,
    endpoint: str | None = ENDPOINT,
    tag: str | None = None,
) -> list[QueryEvent]:
    """GET /api/itineraries/{id}: the itinerary, its days, then one services query per day.
    Parameter values come from ``rid`` (or ``tag`` without one): distinct per request."""
    name = rid or tag
    events = [
        q(start_ms, "travel.itineraries", ITINERARY_FP, millis=3, rid=rid, value=name,
          filter_shape={"_id": "?"}, client=client, endpoint=endpoint),
        q(start_ms + 4, "travel.days", DAYS_FP, millis=4, rid=rid, value=name,
          filter_shape={"itineraryId": "?"}, nreturned=days, client=client, endpoint=endpoint),
    ]  # fmt: skip
    at = start_ms + 9
    for day in range(days):
        # Promise.all: every lookup starts at once and they finish out of order.
        begin = at if concurrent else at + day * (lookup_ms + gap_ms)
        millis = lookup_ms + (day * 7) % 5 if concurrent else lookup_ms
        events.append(
            q(begin, "travel.services", SERVICES_FP, millis=millis, rid=rid,
              value="same" if same_value else f"{name}-day{day}",
              filter_shape={"dayId": "?"}, client=client, endpoint=endpoint)
        )  # fmt: skip
    return events


def by_end(*streams: Iterable[QueryEvent]) -> list[QueryEvent]:
    """Merge streams as a profiler records them: by the time each operation ended."""
    merged = [event for stream in streams for event in stream]
    return sorted(merged, key=lambda e: e.ts)
