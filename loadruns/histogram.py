"""Exact, mergeable response-time histograms.

Locust rounds response times of 100 ms and above into coarse buckets (to 10 ms below 1 s, to
100 ms below 10 s), so a percentile it reports can be off by tens of milliseconds and can even
exceed the maximum. perfsight counts every request at 1 ms resolution instead: a sparse map from
the response time rounded to the nearest millisecond to a count. Two histograms merge by adding
counts, so seconds, endpoints and Locust workers combine without losing anything, and a
whole-run percentile is the exact nearest-rank percentile of the samples to within 0.5 ms.

Above ``EXACT_LIMIT_MS`` (10 minutes) the resolution drops to 1 s so a pathological run cannot
grow the map without bound. ``count``, ``sum``, ``min`` and ``max`` are kept exactly.

Pure Python, no Locust import: the Locust-side listener and the perfsight process both use it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

EXACT_LIMIT_MS = 600_000
COARSE_STEP_MS = 1_000


def bucket_of(ms: float) -> int:
    """The key a response time is counted under: the nearest ms (1 s steps above 10 min)."""
    if ms < 0:
        ms = 0.0
    if ms < EXACT_LIMIT_MS:
        return int(ms + 0.5)
    return int(ms / COARSE_STEP_MS + 0.5) * COARSE_STEP_MS


class Histogram:
    """Response times (ms) of a set of requests, with request and failure counts."""

    __slots__ = ("buckets", "count", "failures", "first_start", "last_end", "max", "min", "total")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.failures = 0
        self.total = 0.0  # sum of response times, ms
        self.min = math.inf
        self.max = -math.inf
        # When the first request of the set started and the last one ended (epoch seconds):
        # requests / (last_end - first_start) is Locust's total_rps meaning of req/s.
        self.first_start = math.inf
        self.last_end = -math.inf

    def add(self, ms: float, *, failed: bool = False, start: float, end: float) -> None:
        key = bucket_of(ms)
        buckets = self.buckets
        buckets[key] = buckets.get(key, 0) + 1
        self.count += 1
        if failed:
            self.failures += 1
        self.total += ms
        if ms < self.min:
            self.min = ms
        if ms > self.max:
            self.max = ms
        if start < self.first_start:
            self.first_start = start
        if end > self.last_end:
            self.last_end = end

    def merge(self, other: Histogram) -> Histogram:
        """Add ``other`` into this histogram (in place) and return it."""
        buckets = self.buckets
        for key, n in other.buckets.items():
            buckets[key] = buckets.get(key, 0) + n
        self.count += other.count
        self.failures += other.failures
        self.total += other.total
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        self.first_start = min(self.first_start, other.first_start)
        self.last_end = max(self.last_end, other.last_end)
        return self

    def copy(self) -> Histogram:
        return Histogram().merge(self)

    @classmethod
    def merged(cls, parts: Iterable[Histogram]) -> Histogram:
        result = cls()
        for part in parts:
            result.merge(part)
        return result

    # -- statistics ---------------------------------------------------------------------------

    @property
    def avg(self) -> float | None:
        return self.total / self.count if self.count else None

    def percentile(self, pct: float) -> float | None:
        """Nearest-rank percentile: the smallest recorded time with at least ``pct`` % of the
        requests at or below it, to 0.5 ms. The lowest rank is the exact minimum and the
        highest the exact maximum, so p(100) is the maximum and no percentile exceeds it."""
        return self.percentiles([pct])[pct]

    def percentiles(self, pcts: Iterable[float]) -> dict[float, float | None]:
        """Several percentiles in one pass over the sorted buckets."""
        wanted = sorted(set(pcts))
        if any(not 0 < pct <= 100 for pct in wanted):
            raise ValueError(f"percentiles must be in (0, 100], not {wanted}")
        if not self.count:
            return dict.fromkeys(wanted)
        ranks = [(p, max(1, math.ceil(p / 100 * self.count - 1e-9))) for p in wanted]
        result: dict[float, float | None] = {}
        seen, index = 0, 0
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            while index < len(ranks) and seen >= ranks[index][1]:
                result[ranks[index][0]] = self._value_at(ranks[index][1], key)
                index += 1
            if index == len(ranks):
                break
        return result

    def _value_at(self, rank: int, key: int) -> float:
        if rank == 1:
            return self.min
        if rank == self.count:
            return self.max
        return float(min(max(key, self.min), self.max))

    def rps(self) -> float | None:
        """Requests per second between the first start and the last end (Locust's total_rps)."""
        if not self.count:
            return None
        span = self.last_end - self.first_start
        return self.count / span if span > 0 else None

    @property
    def failure_rate(self) -> float | None:
        return self.failures / self.count if self.count else None

    # -- wire form (JSON) ---------------------------------------------------------------------

    def to_wire(self) -> dict[str, Any]:
        return {
            "n": self.count,
            "f": self.failures,
            "s": self.total,
            "lo": self.min,
            "hi": self.max,
            "t0": self.first_start,
            "t1": self.last_end,
            "h": [[key, n] for key, n in self.buckets.items()],
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Histogram:
        hist = cls()
        hist.count = int(data["n"])
        hist.failures = int(data["f"])
        hist.total = float(data["s"])
        hist.min = float(data["lo"])
        hist.max = float(data["hi"])
        hist.first_start = float(data["t0"])
        hist.last_end = float(data["t1"])
        hist.buckets = {int(key): int(n) for key, n in data["h"]}
        return hist

    def __repr__(self) -> str:
        return (
            f"Histogram(count={self.count}, failures={self.failures}, buckets={len(self.buckets)})"
        )
