"""``unused_index``: indexes the server has counted no use of for longer than the analysis window.

Input: each index's usage counter from ``$indexStats`` (``accesses.ops``, counted since
``accesses.since`` — the server's start, or the index's creation or last change). An index is
reported when its counter is zero and has been running since before the analysis window began:
an index created ten minutes ago and unused says nothing yet.

Never reported: ``_id_`` (MongoDB needs it), unique indexes (they enforce a constraint even when
no query uses them), TTL indexes (the TTL monitor's deletes are not counted as uses), and indexes
still being built. Confidence grows with the time the counter has run: under
``CONFIDENT_AFTER`` (7 days — one weekly job's cycle) the finding is ``info``/low confidence,
after it a ``warning``. The counter covers only the node that answered (the primary, unless the
URI says otherwise): an index that serves reads sent to secondaries looks unused there — hence
``hideIndex`` first, then ``dropIndex``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from analyzers.shape_parts import collection_ref
from perfsight.durations import format_duration
from perfsight.models import Finding, IndexKey, iso

CONFIDENT_AFTER = 7 * 86400.0
ID_INDEX_NAME = "_id_"


@dataclass(frozen=True, slots=True)
class IndexUsage:
    """One index and its usage counter (``$indexStats``), summed over the hosts that answered."""

    namespace: str
    name: str
    key: IndexKey
    ops: int
    since: datetime  # when the counter started (the latest start among the hosts)
    hosts: tuple[str, ...] = ()
    unique: bool = False
    ttl: bool = False
    hidden: bool = False
    building: bool = False

    def combined(self, other: IndexUsage) -> IndexUsage:
        """This index as seen by another host too (a sharded cluster): uses add up, and the
        counters cover only the time since the latest of their starts."""
        return replace(
            self,
            ops=self.ops + other.ops,
            since=max(self.since, other.since),
            hosts=(*self.hosts, *other.hosts),
            building=self.building or other.building,
        )


def never_reported(usage: IndexUsage) -> str | None:
    """Why an index is never an unused-index finding, or None."""
    if usage.name == ID_INDEX_NAME:
        return "the _id index"
    if usage.unique:
        return "unique: it enforces a constraint"
    if usage.ttl:
        return "TTL: its deletes are not counted as uses"
    if usage.building:
        return "still being built"
    return None


def unused_index_findings(
    usages: Iterable[IndexUsage], *, window_start: datetime, now: datetime
) -> list[Finding]:
    """Indexes with zero uses counted since before ``window_start``; longest unused first."""
    found = [
        _finding(usage, window_start, now)
        for usage in usages
        if usage.ops == 0 and usage.since < window_start and never_reported(usage) is None
    ]
    found.sort(key=lambda f: (f.evidence["since"], f.namespace or "", f.fingerprint or ""))
    return found


def _finding(usage: IndexUsage, window_start: datetime, now: datetime) -> Finding:
    database, _, collection = usage.namespace.partition(".")
    running = max((now - usage.since).total_seconds(), 0.0)
    confident = running >= CONFIDENT_AFTER
    key = ", ".join(f"{field}: {direction}" for field, direction in usage.key)
    coll = collection_ref(collection)
    if usage.hidden:
        fix = (
            f'{coll}.dropIndex("{usage.name}") — it is already hidden from the planner; '
            "drop it if nothing got slower while it was hidden"
        )
    else:
        fix = (
            f'{coll}.hideIndex("{usage.name}") first (MongoDB 4.4+: the planner ignores it, '
            f"writes keep it up to date, unhideIndex brings it back at once); if nothing gets "
            f'slower over a full business cycle, {coll}.dropIndex("{usage.name}") saves its '
            "writes and memory"
        )
    summary = (
        f"Index {usage.name} {{{key}}} on {usage.namespace} has not been used by any query for "
        f"{format_duration(running)} (its usage counter runs since {iso(usage.since)})"
    )
    return Finding(
        kind="unused_index",
        severity="warning" if confident else "info",
        confidence="high" if confident else "low",
        namespace=usage.namespace,
        fingerprint=usage.name,
        summary=summary,
        suggestion=fix,
        first_seen=usage.since,
        last_seen=now,
        evidence={
            "database": database,
            "collection": collection,
            "index": usage.name,
            "key": [list(pair) for pair in usage.key],
            "accesses_ops": usage.ops,
            "since": iso(usage.since),
            "counting_for_seconds": round(running, 1),
            "window_start": iso(window_start),
            "hosts": list(usage.hosts),
            "hidden": usage.hidden,
            "confident_after_seconds": CONFIDENT_AFTER,
            "note": (
                "$indexStats counts uses on the node that answered only; reads sent to "
                "secondaries are not included"
            ),
        },
    )
