"""Shape statistics: per query shape (namespace + fingerprint) per time bucket — count, total,
mean, p50, p95 and max milliseconds, documents and keys examined, documents returned, the
scanned-to-returned ratio, the plans seen, one example.

Durations are kept as a histogram of exact values: milliseconds below 1 s as they are (the
servers report whole milliseconds), longer ones to three significant digits (≤ 0.5 % off).
So percentiles are exact for every realistic input, a histogram stays small whatever the event
count, and two histograms merge by adding — which is how statistics read in several pieces
(``collect``) or in several processes come together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analyzers.base import merge_keyed
from analyzers.events import fields_of
from analyzers.examples import example_of
from perfsight.models import Finding, QueryEvent, iso

DEFAULT_BUCKET_SECONDS = 3600.0


def shape_id(namespace: str, fingerprint: str) -> str:
    """Stable short identity of a shape (store key)."""
    data = f"{namespace}\x1f{fingerprint}".encode()
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def hist_key(millis: float) -> float:
    if millis < 1000 and millis == int(millis):
        return int(millis)
    return float(f"{millis:.3g}")


def percentile(hist: Mapping[float, int], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..1) of a value → count histogram."""
    total = sum(hist.values())
    if not total:
        return None
    rank = max(1, -(-q * total // 1))  # ceil(q * total), at least the first value
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return float(value)
    return float(max(hist))  # pragma: no cover - unreachable: ranks end at total


@dataclass(slots=True)
class ShapeStat:
    """Statistics of one shape over one bucket (or over all buckets, for totals)."""

    namespace: str
    fingerprint: str
    op: str
    command_name: str | None
    bucket_start: float  # epoch seconds; for totals, the first bucket's start
    bucket_seconds: float
    count: int = 0
    total_millis: float = 0.0
    max_millis: float = 0.0
    millis_hist: dict[float, int] = field(default_factory=dict)
    docs_examined: int = 0
    keys_examined: int = 0
    nreturned: int = 0
    returned: int = 0  # nreturned, or nMatched/ndeleted for writes
    response_length: int = 0
    sort_stages: int = 0
    disk_uses: int = 0
    errors: int = 0
    plans: dict[str, int] = field(default_factory=dict)
    query_hashes: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    example: dict[str, Any] | None = None
    buckets: int = 1

    @property
    def id(self) -> str:
        return shape_id(self.namespace, self.fingerprint)

    @property
    def avg_millis(self) -> float:
        return self.total_millis / self.count if self.count else 0.0

    @property
    def p50_millis(self) -> float | None:
        return percentile(self.millis_hist, 0.50)

    @property
    def p95_millis(self) -> float | None:
        return percentile(self.millis_hist, 0.95)

    @property
    def scan_ratio(self) -> float | None:
        """Documents examined per document returned (None when nothing was examined)."""
        if not self.docs_examined:
            return None
        return self.docs_examined / max(self.returned, 1)

    def merge(self, other: ShapeStat, *, later: bool = False) -> None:
        """Add ``other`` (same shape) into this one. The example is the earliest execution's;
        with ``later`` (``other`` was read after this one: the same input split in parts) it
        stays this one's — the first execution read, as when the parts are read as one."""
        self.count += other.count
        self.total_millis += other.total_millis
        self.max_millis = max(self.max_millis, other.max_millis)
        _add(self.millis_hist, other.millis_hist)
        self.docs_examined += other.docs_examined
        self.keys_examined += other.keys_examined
        self.nreturned += other.nreturned
        self.returned += other.returned
        self.response_length += other.response_length
        self.sort_stages += other.sort_stages
        self.disk_uses += other.disk_uses
        self.errors += other.errors
        _add(self.plans, other.plans)
        _add(self.query_hashes, other.query_hashes)
        if other.first_seen is not None and (
            self.first_seen is None or other.first_seen < self.first_seen
        ):
            self.first_seen = other.first_seen
            if not later:
                self.example = other.example or self.example  # the earliest execution's
        if other.last_seen is not None and (
            self.last_seen is None or other.last_seen > self.last_seen
        ):
            self.last_seen = other.last_seen
        if self.example is None:
            self.example = other.example
        self.bucket_start = min(self.bucket_start, other.bucket_start)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``shapes`` of ``analyze.schema.json``)."""
        ratio = self.scan_ratio
        return {
            "id": self.id,
            "namespace": self.namespace,
            "fingerprint": self.fingerprint,
            "op": self.op,
            "command": self.command_name,
            "count": self.count,
            "total_millis": round(self.total_millis, 3),
            "avg_millis": round(self.avg_millis, 3),
            "p50_millis": self.p50_millis,
            "p95_millis": self.p95_millis,
            "max_millis": self.max_millis,
            "docs_examined": self.docs_examined,
            "keys_examined": self.keys_examined,
            "nreturned": self.nreturned,
            "scan_ratio": round(ratio, 2) if ratio is not None else None,
            "response_length": self.response_length,
            "in_memory_sorts": self.sort_stages,
            "disk_uses": self.disk_uses,
            "errors": self.errors,
            "plans": dict(self.plans),
            "query_hashes": sorted(self.query_hashes),
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "example": self.example,
        }


def _add(into: dict[Any, int], other: Mapping[Any, int]) -> None:
    for key, count in other.items():
        into[key] = into.get(key, 0) + count


class ShapeStats:
    """Feeds on events (like an analyzer), keeps statistics per shape per bucket."""

    name = "shapes"

    def __init__(
        self,
        bucket_seconds: float = DEFAULT_BUCKET_SECONDS,
        *,
        raw_examples: bool = False,
        redact_fields: Collection[str] = (),
    ) -> None:
        self.bucket_seconds = float(bucket_seconds)
        self.raw_examples = raw_examples
        self.redact_fields = tuple(redact_fields)
        self._stats: dict[tuple[str, str, float], ShapeStat] = {}

    def __len__(self) -> int:
        return len(self._stats)

    def feed(self, event: QueryEvent) -> None:
        # Once per event: the fields come from the compiled record (analyzers.events).
        f = fields_of(event)
        ts, namespace, fingerprint = f.ts, f.namespace, f.fingerprint
        size = self.bucket_seconds
        bucket = f.epoch // size * size
        key = (namespace, fingerprint, bucket)
        stat = self._stats.get(key)
        if stat is None:
            stat = self._stats[key] = ShapeStat(
                namespace, fingerprint, f.op, f.command_name, bucket, size
            )
            stat.first_seen = stat.last_seen = ts
            stat.example = example_of(
                event, raw_values=self.raw_examples, redact_fields=self.redact_fields
            )
        stat.count += 1
        millis = f.millis
        stat.total_millis += millis
        if millis > stat.max_millis:
            stat.max_millis = millis
        hist = stat.millis_hist
        value = int(millis) if millis < 1000 and millis == int(millis) else hist_key(millis)
        hist[value] = hist.get(value, 0) + 1
        docs, keys, nreturned = f.docs_examined, f.keys_examined, f.nreturned
        if docs:
            stat.docs_examined += docs
        if keys:
            stat.keys_examined += keys
        if nreturned is not None:
            stat.nreturned += nreturned
        returned = f.returned
        if returned:
            stat.returned += returned
        length = f.response_length
        if length:
            stat.response_length += length
        if f.has_sort_stage:
            stat.sort_stages += 1
        if f.used_disk:
            stat.disk_uses += 1
        if f.error is not None:
            stat.errors += 1
        plan = f.plan_summary
        if plan is not None:
            stat.plans[plan] = stat.plans.get(plan, 0) + 1
        query_hash = f.query_hash
        if query_hash is not None:
            stat.query_hashes[query_hash] = stat.query_hashes.get(query_hash, 0) + 1
        if ts > stat.last_seen:  # type: ignore[operator]
            stat.last_seen = ts
        elif ts < stat.first_seen:  # type: ignore[operator]
            stat.first_seen = ts

    def findings(self) -> list[Finding]:
        """Shape statistics are fed like an analyzer but report no findings."""
        return []

    def merge(self, other: ShapeStats, *, later: bool = False) -> None:
        """Add another part's statistics; ``later``: ``other`` comes after this part in the
        input (see ``ShapeStat.merge``) — the result then equals reading both as one."""
        merge_keyed(self._stats, other._stats, lambda ours, theirs: ours.merge(theirs, later=later))

    def examples(self) -> list[dict[str, Any] | None]:
        """The example of every shape and bucket (to rewrite where they were read)."""
        return [stat.example for stat in self._stats.values()]

    def buckets(self) -> list[ShapeStat]:
        """One record per shape per bucket, in time then shape order."""
        return [self._stats[key] for key in sorted(self._stats, key=lambda k: (k[2], k[0], k[1]))]

    def totals(self) -> list[ShapeStat]:
        """One record per shape over every bucket, most total time first."""
        return totals_of(self._stats.values())


def totals_of(stats: Iterable[ShapeStat]) -> list[ShapeStat]:
    """One record per shape over every bucket given (e.g. rows read back from the store; they
    are not modified), most total time first."""
    merged: dict[tuple[str, str], ShapeStat] = {}
    for stat in sorted(stats, key=lambda s: (s.namespace, s.fingerprint, s.bucket_start)):
        total = merged.get((stat.namespace, stat.fingerprint))
        if total is None:
            merged[(stat.namespace, stat.fingerprint)] = _copy(stat)
        else:
            total.merge(stat)
            total.buckets += 1
    return sorted(merged.values(), key=lambda s: (-s.total_millis, s.namespace, s.fingerprint))


def _copy(stat: ShapeStat) -> ShapeStat:
    copied = ShapeStat(
        stat.namespace,
        stat.fingerprint,
        stat.op,
        stat.command_name,
        stat.bucket_start,
        stat.bucket_seconds,
    )
    copied.merge(stat)
    copied.first_seen, copied.last_seen, copied.example = (
        stat.first_seen,
        stat.last_seen,
        stat.example,
    )
    return copied
