"""Records the Redis and Prometheus collectors produce: cache hit ratios labelled by where they
came from, and latency per endpoint with how exact each quantile can be.

"No data" is ``None`` everywhere: never 0, never NaN. Times are UTC epoch seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

CacheSource = Literal["redis_info", "app_metrics"]
"""Where a cache hit ratio comes from. ``redis_info``: the server's keyspace_hits/misses, which
count every key lookup on the whole server (sessions, locks, queues, other apps' keys).
``app_metrics``: the application's own cache counters in Prometheus — the truer figure for "did
the cache answer", when the app exports them."""

ALL = "*"
"""The scope/endpoint name of an aggregate over everything (all endpoints, all caches)."""


@dataclass(frozen=True, slots=True)
class CacheSample:
    """Hits and misses counted in the window ``[start, end]`` by one source, for one scope (a
    Redis instance name, or an app cache name / ``*``). ``reset`` says why a window was dropped
    (a restart): then there are no counts and no ratio."""

    source: CacheSource
    scope: str
    start: float
    end: float
    hits: float | None
    misses: float | None
    reset: str | None = None

    @property
    def ratio(self) -> float | None:
        """hits / (hits + misses) over the window; ``None`` (no data) for 0/0 or a dropped one."""
        if self.reset is not None or self.hits is None or self.misses is None:
            return None
        if self.hits < 0 or self.misses < 0:
            return None
        total = self.hits + self.misses
        return self.hits / total if total > 0 else None

    @property
    def lookups(self) -> float | None:
        if self.hits is None or self.misses is None:
            return None
        return self.hits + self.misses


@dataclass(frozen=True, slots=True)
class QuantileEstimate:
    """A latency quantile from a histogram, with the bucket it falls in: the true value lies in
    ``(lower_ms, upper_ms]`` whatever Prometheus's linear interpolation says. ``upper_ms`` is
    ``inf`` when the quantile is in the ``+Inf`` bucket (the value is then only a floor).
    Bounds are ``None`` when unknown (a custom query without a bucket query)."""

    q: float
    value_ms: float | None
    lower_ms: float | None = None
    upper_ms: float | None = None

    @property
    def unbounded(self) -> bool:
        return self.upper_ms is not None and math.isinf(self.upper_ms)


@dataclass(frozen=True, slots=True)
class LatencySample:
    """One endpoint over ``[start, end]``: request rate, 5xx ratio and latency quantiles.

    An endpoint Prometheus knows but that served nothing in the window has ``rps == 0.0`` (a
    measured zero) and no quantiles nor error ratio (``None``: nothing to measure)."""

    endpoint: str
    start: float
    end: float
    rps: float | None
    error_ratio: float | None
    quantiles: tuple[QuantileEstimate, ...]

    def quantile(self, q: float) -> QuantileEstimate:
        for estimate in self.quantiles:
            if math.isclose(estimate.q, q):
                return estimate
        return QuantileEstimate(q, None)

    @property
    def p50(self) -> QuantileEstimate:
        return self.quantile(0.5)

    @property
    def p95(self) -> QuantileEstimate:
        return self.quantile(0.95)

    @property
    def p99(self) -> QuantileEstimate:
        return self.quantile(0.99)

    @property
    def requests(self) -> float | None:
        """Requests served in the window (rate × length; Prometheus extrapolates, so not an
        exact count)."""
        return None if self.rps is None else self.rps * (self.end - self.start)


@dataclass(frozen=True, slots=True)
class PrometheusSample:
    """What one Prometheus evaluation says about the target over ``[start, end]``."""

    ts: float
    start: float
    end: float
    endpoints: tuple[LatencySample, ...]
    caches: tuple[CacheSample, ...]

    def endpoint(self, key: str) -> LatencySample | None:
        return next((e for e in self.endpoints if e.endpoint == key), None)

    def cache(self, scope: str = ALL) -> CacheSample | None:
        return next((c for c in self.caches if c.scope == scope), None)
