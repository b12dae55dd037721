"""Collected samples in the store (SQLite and PostgreSQL): written, read back the way the
dashboard and reports read them, pruned, and each source's health."""

from __future__ import annotations

import itertools
import math

import pytest

from collectors.records import ALL, CacheSample, LatencySample, PrometheusSample, QuantileEstimate
from collectors.redis_collector import RedisSample
from collectors.redis_delta import redis_window
from collectors.redis_info import CommandStat, KeyspaceStat, RedisSnapshot
from perfsight.store import Store
from perfsight.store.prune import prune
from perfsight.store.samples import (
    cache_history,
    command_totals,
    latency_history,
    latest_latency,
    redis_cursor,
    redis_history,
    redis_hit_ratio_over,
    write_samples,
)
from perfsight.store.source_health import record_attempt, source_health


def snapshot(ts: float, hits: int, misses: int, gets: int, run_id: str = "r1") -> RedisSnapshot:
    return RedisSnapshot(
        instance="main",
        ts=ts,
        run_id=run_id,
        uptime_s=int(ts),
        version="7.0.15",
        keyspace_hits=hits,
        keyspace_misses=misses,
        total_commands=gets * 2,
        evicted_keys=0,
        expired_keys=0,
        used_memory=3 << 30,  # beyond 32 bits
        used_memory_peak=4 << 30,
        maxmemory=0,
        fragmentation=1.1,
        connected_clients=2,
        keyspace={"db0": KeyspaceStat(10, 2, 500)},
        commands={"get": CommandStat(gets, gets * 3)},
    )


def redis_samples() -> list[RedisSample]:
    snaps = [
        snapshot(100, 0, 0, 0),
        snapshot(115, 8, 2, 10),
        snapshot(130, 8, 2, 10),  # idle: 0/0
        snapshot(145, 1, 0, 1, run_id="r2"),  # restarted
        snapshot(160, 4, 1, 6, run_id="r2"),
    ]
    return [RedisSample(snaps[0], None)] + [
        RedisSample(cur, redis_window(prev, cur)) for prev, cur in itertools.pairwise(snaps)
    ]


def prometheus_sample(ts: float) -> PrometheusSample:
    quantiles = (
        QuantileEstimate(0.5, 70.0, 60.0, 75.0),
        QuantileEstimate(0.95, 12000.0, 10000.0, math.inf),
        QuantileEstimate(0.99, None),
    )
    return PrometheusSample(
        ts=ts,
        start=ts - 300,
        end=ts,
        endpoints=(
            LatencySample("GET /a/{id}", ts - 300, ts, 2.5, 0.1, quantiles),
            LatencySample(
                "GET /idle",
                ts - 300,
                ts,
                0.0,
                None,
                tuple(QuantileEstimate(q, None) for q in (0.5, 0.95, 0.99)),
            ),
            LatencySample(ALL, ts - 300, ts, 2.5, 0.1, quantiles),
        ),
        caches=(CacheSample("app_metrics", "items", ts - 300, ts, 30.0, 10.0),),
    )


def test_redis_samples_round_trip(store: Store) -> None:
    samples = redis_samples()
    assert write_samples(store, samples) > len(samples)
    history = redis_history(store, instance="main")
    assert [h.ts for h in history] == [100, 115, 130, 145, 160]
    assert history[0].window_start is None and history[1].window_start == 100
    assert history[1].used_memory == 3 << 30 and history[1].keys == 10
    assert history[3].reset is not None and "restarted" in history[3].reset
    ratios = [
        (c.end, c.ratio, c.reset is not None) for c in cache_history(store, source="redis_info")
    ]
    assert ratios == [(115, 0.8, False), (130, None, False), (145, None, True), (160, 0.75, False)]
    assert all(c.source == "redis_info" and c.scope == "main" for c in cache_history(store))
    totals = command_totals(store, "main")
    assert [(t.command, t.calls, t.usec) for t in totals] == [("get", 15, 45)]
    # The next sample (another process, collect --once) starts from the stored counters.
    cursor = redis_cursor(store, "main")
    assert cursor is not None and cursor.run_id == "r2" and cursor.keyspace_hits == 4
    assert cursor.commands["get"] == CommandStat(6, 18)
    assert redis_cursor(store, "other") is None
    # Over a period: the deltas summed, the restarted window counting nothing.
    over = redis_hit_ratio_over(store, "main", since=100, until=160)
    assert (over.hits, over.misses) == (11, 3) and over.source == "redis_info"
    assert redis_hit_ratio_over(store, "main", since=200, until=300).ratio is None


def test_latency_samples_round_trip_with_unbounded_buckets(store: Store) -> None:
    write_samples(store, [prometheus_sample(1000.0), prometheus_sample(1015.0)])
    rows = latency_history(store, endpoint="GET /a/{id}")
    assert [r.end for r in rows] == [1000.0, 1015.0]
    assert rows[0].p50 == QuantileEstimate(0.5, 70.0, 60.0, 75.0)
    assert rows[0].p95.upper_ms == math.inf and rows[0].p95.unbounded
    assert rows[0].p99.value_ms is None
    latest = latest_latency(store)
    assert {r.endpoint for r in latest} == {"GET /a/{id}", "GET /idle", ALL}
    assert all(r.end == 1015.0 for r in latest)
    idle = next(r for r in latest if r.endpoint == "GET /idle")
    assert idle.rps == 0.0 and idle.p95.value_ms is None and idle.error_ratio is None
    (cache,) = cache_history(store, source="app_metrics", since=1010)
    assert (cache.scope, cache.ratio, cache.start) == ("items", 0.75, 715.0)


def test_unknown_records_are_refused(store: Store) -> None:
    with pytest.raises(TypeError, match="no store writer for str"):
        write_samples(store, ["not a record"])
    assert latest_latency(store) == []


def test_prune_deletes_old_samples(store: Store) -> None:
    write_samples(store, [*redis_samples(), prometheus_sample(1000.0)])
    counts = prune(store, older_than=50, now=180)  # older than 130
    assert counts["redis_samples"] == 2 and counts["cache_samples"] == 1
    assert counts["redis_command_samples"] == 1
    assert counts["latency_samples"] == 0
    assert [h.ts for h in redis_history(store)] == [130, 145, 160]


def test_source_health(store: Store) -> None:
    record_attempt(
        store,
        name="prometheus",
        kind="prometheus",
        target="http://p",
        at=10,
        error=None,
        failures=0,
        next_attempt_at=None,
    )
    record_attempt(
        store,
        name="prometheus",
        kind="prometheus",
        target="http://p",
        at=25,
        error="no answer",
        failures=1,
        next_attempt_at=40,
    )
    record_attempt(
        store,
        name="redis:main",
        kind="redis",
        target="redis://h",
        at=25,
        error=None,
        failures=0,
        next_attempt_at=None,
    )
    health = {h.name: h for h in source_health(store)}
    prom = health["prometheus"]
    assert (prom.last_success_at, prom.last_attempt_at, prom.failures) == (10, 25, 1)
    assert prom.last_error == "no answer" and not prom.ok and prom.next_attempt_at == 40
    assert health["redis:main"].ok
