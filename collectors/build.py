"""Sources from the settings, and the sink that stores what they sample: what
``perfsight collect``, load runs and reports use to get collectors without wiring them by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from collectors.loop import Sink
from collectors.mongo_live import LiveMongo
from collectors.mongo_source import MongoProfilerSource
from collectors.profile_source import ProfileFileSource
from collectors.prometheus import QUANTILES, PrometheusCollector, connect_prometheus
from collectors.promql import query_set
from collectors.redis_collector import RedisCollector, connect_redis
from collectors.source import Source, SourceResult
from perfsight.config import Settings
from perfsight.durations import parse_duration
from perfsight.store import Store
from perfsight.store.samples import redis_cursor, write_samples
from perfsight.store.source_health import record_attempt


def redis_collectors(settings: Settings, *, store: Store | None = None) -> list[RedisCollector]:
    """One collector per configured instance (``main`` first). With a store, each starts from
    the instance's latest stored counters, so its first sample already measures a window."""
    collectors = []
    for instance, url in settings.redis.urls().items():
        cursor = redis_cursor(store, instance) if store is not None else None
        client = connect_redis(url, timeout=settings.redis.socket_timeout)
        collectors.append(RedisCollector(client, instance=instance, target=url, cursor=cursor))
    return collectors


def prometheus_collector(
    settings: Settings, *, quantiles: Sequence[float] = QUANTILES
) -> PrometheusCollector | None:
    """The collector ``[prometheus]`` describes, or ``None`` without a URL."""
    config = settings.prometheus
    if config.url is None:
        return None
    timeout = parse_duration(config.timeout)
    client = connect_prometheus(
        config.url, timeout=timeout, headers=config.headers, verify=config.verify_tls
    )
    return PrometheusCollector(
        client,
        query_set(config),
        rate_window=parse_duration(config.rate_window),
        timeout=timeout,
        quantiles=quantiles,
    )


def profiler_source(settings: Settings, store: Store | None) -> MongoProfilerSource | None:
    """The live profiler (``[mongo] uri`` and ``databases``), connecting lazily: a server that
    is down is a source that fails and is retried, not a collection that cannot start."""
    if not settings.mongo.uri or not settings.mongo.databases or store is None:
        return None
    return MongoProfilerSource(LiveMongo.connect(settings.mongo, check=False), store, settings)


def sources_from_settings(settings: Settings, *, store: Store | None = None) -> list[Source]:
    """Every source the settings configure, in a stable order. The profile files need the
    store (their cursors live there), so they come only with one."""
    sources: list[Source] = [*redis_collectors(settings, store=store)]
    prometheus = prometheus_collector(settings)
    if prometheus is not None:
        sources.append(prometheus)
    if store is not None:
        sources += [ProfileFileSource(p, settings, store) for p in settings.mongo.profile_files]
    profiler = profiler_source(settings, store)
    if profiler is not None:
        sources.append(profiler)
    return sources


def store_sink(store: Store) -> Sink:
    """Store what a source sampled, and the attempt in the source's health row."""

    def sink(source: Source, result: SourceResult) -> None:
        if result.ok:
            write_samples(store, result.records)
        record_attempt(
            store,
            name=result.source,
            kind=result.kind,
            target=result.target,
            at=result.at,
            error=result.error,
            failures=result.failures,
            next_attempt_at=result.retry_at,
        )

    return sink
