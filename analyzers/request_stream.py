"""The per-event loops of a parallel analysis (``perfsight.analysis_parallel``), compiled with
the rest of the hot path (``perfsight.compiled``).

A worker process feeds each event of its part to the analyzers whose state merges and keeps,
for the in-order analyzers (N+1, queries per request), only ``request_values`` — pickled in
batches. The main process replays the batches, in input order, into their ``feed_op``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from analyzers.indexes import MissingIndexAdvisor
from analyzers.nplusone import NPlusOneAnalyzer
from analyzers.pagination import UnpaginatedQueryAnalyzer
from analyzers.queries_per_request import QueriesPerRequestAnalyzer
from analyzers.requests import RequestValues, request_op, request_values
from analyzers.shape_table import ShapeTable
from analyzers.shapes import ShapeStats
from perfsight.models import QueryEvent

FeedOp = Callable[..., None]  # (op, request id, endpoint, client) -> None


def read_part(
    events: Iterable[QueryEvent],
    analyzers: Sequence[Any],
    table: ShapeTable,
    batch_size: int,
) -> list[bytes]:
    """Feed every event to ``analyzers``; the pickled batches of its request values (shape
    numbers of ``table``). (The shape statistics, the index advisor and the unpaginated-query
    analyzer are called as themselves: compiled, a direct call; a bound method in a list is a
    generic one, three times per event.)"""
    shapes = [a for a in analyzers if isinstance(a, ShapeStats)]
    advisors = [a for a in analyzers if isinstance(a, MissingIndexAdvisor)]
    unpaginated = [a for a in analyzers if isinstance(a, UnpaginatedQueryAnalyzer)]
    others: list[Callable[[QueryEvent], None]] = [
        a.feed
        for a in analyzers
        if not isinstance(a, ShapeStats | MissingIndexAdvisor | UnpaginatedQueryAnalyzer)
    ]
    batches: list[bytes] = []
    batch: list[RequestValues | None] = []
    names: dict[str | None, str | None] = {None: None}
    for event in events:
        for stats in shapes:
            stats.feed(event)
        for advisor in advisors:
            advisor.feed(event)
        for analyzer in unpaginated:
            analyzer.feed(event)
        for feed in others:
            feed(event)
        batch.append(request_values(event, table, names))
        if len(batch) == batch_size:
            batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
            batch = []
            names = {None: None}
    if batch:
        batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    return batches


def replay(batches: Iterable[bytes], shape_ids: Sequence[int], analyzers: Sequence[Any]) -> None:
    """The batches of ``read_part`` into the ``feed_op`` of ``analyzers``, a worker's shape
    number ``n`` becoming ``shape_ids[n]``. (N+1 and queries per request are called as
    themselves: compiled, a direct call; a bound method in a list is a generic one, twice per
    event.)"""
    nplusone = [a for a in analyzers if isinstance(a, NPlusOneAnalyzer)]
    per_request = [a for a in analyzers if isinstance(a, QueriesPerRequestAnalyzer)]
    others: list[FeedOp] = [
        a.feed_op
        for a in analyzers
        if not isinstance(a, NPlusOneAnalyzer | QueriesPerRequestAnalyzer)
    ]
    for blob in batches:
        for values in pickle.loads(blob):
            op, rid, endpoint, client = request_op(values)  # op None: an admin command
            if op is not None:
                op.shape = shape_ids[op.shape]
            for n in nplusone:
                n.feed_op(op, rid, endpoint, client)
            for q in per_request:
                q.feed_op(op, rid, endpoint, client)
            for feed in others:
                feed(op, rid, endpoint, client)
