"""Prometheus during a load run: the server-side view of the same window — p50/p95/p99 per
endpoint with the histogram bucket each falls in, requests per second, the 5xx ratio — and the
app's own cache counters, the truer ``cache_hit_ratio``.

Prometheus only knows what it scraped: after the load ends, the watcher waits (at most
``[load] backend_settle``) for a scrape of every target later than the end of the load, and
evaluates the window up to that scrape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException

from collectors.prometheus import PrometheusCollector
from collectors.records import ALL, CacheSample, LatencySample, PrometheusSample
from loadruns.observers import ObserverReport
from loadruns.result import Progress
from loadruns.verdict import Observation
from perfsight.thresholds import Threshold

APP_SOURCE = "app_metrics (the app's cache_requests_total in Prometheus)"


class PrometheusWatch:
    name = "prometheus"

    def __init__(
        self,
        collector: PrometheusCollector,
        *,
        job: str | None = None,
        settle: float = 5.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.collector = collector
        self.job = job
        self.settle = settle
        self.clock = clock
        self.sleep = sleep

    def start(self, run_id: str, started_at: float) -> None:
        """Nothing to take: Prometheus keeps the history."""

    def tick(self, progress: Progress) -> None:
        """Nothing: the window is read once, at the end."""

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        try:
            until, note = self._wait_for_scrape(ended_at)
            sample = self.collector.window(started_at, until)
        finally:
            self.collector.close()
        warnings = [note] if note else []
        return ObserverReport(
            metrics=AppCacheRatios(sample),
            warnings=tuple(warnings),
            section={
                "target": self.collector.target,
                "window": [started_at, until],
                "endpoints": [_endpoint_dict(e) for e in sample.endpoints],
                "caches": [_cache_dict(c) for c in sample.caches],
            },
        )

    def _wait_for_scrape(self, ended_at: float) -> tuple[float, str | None]:
        """The time of the first scrape of every target after ``ended_at`` (waiting for it),
        or the latest time reached with a note saying the end may be missing."""
        deadline = self.clock() + self.settle
        while True:
            scraped = self._oldest_last_scrape()
            if scraped is not None and scraped > ended_at:
                return scraped, None
            if self.clock() >= deadline:
                now = min(self.clock(), ended_at + self.settle)
                return max(now, ended_at), (
                    f"Prometheus had not scraped every target since the end of the load within "
                    f"{self.settle:g}s: its figures may miss the last seconds"
                )
            self.sleep(0.25)

    def _oldest_last_scrape(self) -> float | None:
        try:
            data = self.collector.client.get_targets(state="active")
        except (requests.RequestException, PrometheusApiClientException, ValueError, KeyError):
            return None  # costs only the wait: the window's own query reports a down server
        times = []
        for target in data.get("activeTargets", []):
            if self.job is not None and target.get("labels", {}).get("job") != self.job:
                continue
            stamp = target.get("lastScrape")
            if isinstance(stamp, str) and not stamp.startswith("0001"):
                times.append(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
        return min(times) if times else None


def _estimate(sample: LatencySample, q: float) -> dict[str, float | None]:
    estimate = sample.quantile(q)
    return {"ms": estimate.value_ms, "lower_ms": estimate.lower_ms, "upper_ms": estimate.upper_ms}


def _endpoint_dict(sample: LatencySample) -> dict[str, Any]:
    return {
        "endpoint": sample.endpoint,
        "rps": sample.rps,
        "error_ratio": sample.error_ratio,
        "p50": _estimate(sample, 0.5),
        "p95": _estimate(sample, 0.95),
        "p99": _estimate(sample, 0.99),
    }


def _cache_dict(cache: CacheSample) -> dict[str, Any]:
    return {
        "cache": cache.scope,
        "hits": cache.hits,
        "misses": cache.misses,
        "hit_ratio": cache.ratio,
        "source": cache.source,
    }


class AppCacheRatios:
    """``cache_hit_ratio`` (all caches) and ``cache_hit_ratio{cache:X}`` from the app's own
    counters — only when it counted lookups in the window, so Redis can answer otherwise."""

    def __init__(self, sample: PrometheusSample) -> None:
        self.sample = sample

    def observe(self, threshold: Threshold) -> Observation | None:
        if threshold.metric != "cache_hit_ratio" or threshold.scope_value("instance"):
            return None
        cache = self.sample.cache(threshold.scope_value("cache") or ALL)
        if cache is None or not cache.lookups:
            return None
        return Observation(cache.ratio, APP_SOURCE)
