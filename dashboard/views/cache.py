"""The Cache page's figures: hit ratio over time per Redis instance and per app cache, the
ratio over the chosen window, command stats, and memory — each labelled by its source."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collectors.records import CacheSample
from perfsight.config import Settings
from perfsight.store import Store
from perfsight.store.samples import (
    cache_history,
    command_totals,
    redis_history,
    redis_hit_ratio_over,
)


@dataclass(frozen=True, slots=True)
class RatioPoint:
    ts: float
    ratio: float | None
    hits: float | None
    misses: float | None
    reset: str | None


@dataclass(frozen=True, slots=True)
class CacheView:
    """One scope's history (a Redis instance, or an app cache) and its ratio over the window."""

    source: str  # redis_info | app_metrics
    scope: str
    points: tuple[RatioPoint, ...]
    window_ratio: float | None
    lookups: float | None
    resets: tuple[str, ...]


def _point(s: CacheSample) -> RatioPoint:
    return RatioPoint(s.end, s.ratio, s.hits, s.misses, s.reset)


def cache_views(store: Store, *, since: float, until: float) -> list[CacheView]:
    """Every stored scope, Redis instances first. A Redis window ratio is the sum of its
    windows' deltas; an app cache's is its latest sample (those windows overlap)."""
    grouped: dict[tuple[str, str], list[CacheSample]] = defaultdict(list)
    for sample in cache_history(store, since=since, until=until):
        grouped[(sample.source, sample.scope)].append(sample)
    views = []
    for (source, scope), samples in sorted(grouped.items()):
        if source == "redis_info":
            total = redis_hit_ratio_over(store, scope, since=since, until=until)
        else:
            total = next((s for s in reversed(samples) if s.ratio is not None), samples[-1])
        views.append(
            CacheView(
                source,
                scope,
                tuple(_point(s) for s in samples),
                total.ratio,
                total.lookups,
                tuple(sorted({s.reset for s in samples if s.reset})),
            )
        )
    return views


def redis_instances(settings: Settings, views: list[CacheView]) -> list[str]:
    """Configured instances, then any other the store has samples of."""
    names = list(settings.redis.urls())
    names += [v.scope for v in views if v.source == "redis_info" and v.scope not in names]
    return names


def command_rows(
    store: Store, instance: str, *, since: float, until: float
) -> list[dict[str, Any]]:
    return [
        {
            "command": c.command,
            "calls": c.calls,
            "total ms": c.usec / 1000,
            "µs per call": c.usec_per_call,
            "failed": c.failed_calls,
            "rejected": c.rejected_calls,
        }
        for c in command_totals(store, instance, since=since, until=until)
    ]


def memory_row(
    store: Store, instance: str, *, since: float, until: float
) -> Mapping[str, Any] | None:
    """The instance's latest sample in the window: memory, keys, clients, ops/s."""
    history = redis_history(store, instance=instance, since=since, until=until)
    if not history:
        return None
    last = history[-1]
    return {
        "version": last.version,
        "used memory (MB)": last.used_memory / 1e6,
        "peak (MB)": last.used_memory_peak / 1e6,
        "keys": last.keys,
        "clients": last.connected_clients,
        "ops/s": last.ops_per_sec,
        "evicted keys": sum(s.evicted_keys or 0 for s in history),
        "restarts seen": sum(1 for s in history if s.reset),
    }
