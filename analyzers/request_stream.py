"""The per-event loops of a parallel analysis (``perfsight.analysis_parallel``), compiled with
the rest of the hot path (``perfsight.compiled``).

A worker process feeds each event of its part to the analyzers whose state merges and keeps,
for the in-order analyzers (N+1, queries per request), only ``request_values`` — pickled in
batches. The main process replays the batches, in input order, into their ``feed_op``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Sequence

from analyzers.requests import RequestValues, request_op, request_values
from analyzers.shape_table import ShapeTable
from perfsight.models import QueryEvent

FeedOp = Callable[..., None]  # (op, request id, endpoint, client) -> None


def read_part(
    events: Iterable[QueryEvent],
    feeds: Sequence[Callable[[QueryEvent], None]],
    table: ShapeTable,
    batch_size: int,
) -> list[bytes]:
    """Feed every event to ``feeds``; the pickled batches of its request values (shape numbers
    of ``table``)."""
    batches: list[bytes] = []
    batch: list[RequestValues | None] = []
    names: dict[str | None, str | None] = {None: None}
    for event in events:
        for feed in feeds:
            feed(event)
        batch.append(request_values(event, table, names))
        if len(batch) == batch_size:
            batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
            batch = []
            names = {None: None}
    if batch:
        batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    return batches


def replay(batches: Iterable[bytes], shape_ids: Sequence[int], feeds: Sequence[FeedOp]) -> None:
    """The batches of ``read_part`` into ``feeds``, a worker's shape number ``n`` becoming
    ``shape_ids[n]``."""
    for blob in batches:
        for values in pickle.loads(blob):
            op, rid, endpoint, client = request_op(values)  # op None: an admin command
            if op is not None:
                op.shape = shape_ids[op.shape]
            for feed in feeds:
                feed(op, rid, endpoint, client)
