"""The collection loop with real sources: backoff for a source that is down while the others
keep going, recovery, a Redis restart mid-collection, the last sample on stop."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from sqlalchemy import text

from collectors.build import store_sink
from collectors.loop import CollectLoop
from collectors.redis_collector import RedisCollector, connect_redis
from collectors.source import Backoff, SourceResult
from perfsight.services import RedisServer, free_port
from perfsight.store import Store
from perfsight.store.samples import cache_history, redis_history
from perfsight.store.source_health import source_health


def collector(url: str, instance: str) -> RedisCollector:
    return RedisCollector(connect_redis(url, timeout=1), instance=instance, target=url)


def test_backoff_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base=15, cap=300)
    assert [backoff.delay(n) for n in range(8)] == [0, 15, 30, 60, 120, 240, 300, 300]
    assert Backoff(1, 5).delay(10_000) == 5


def test_a_down_source_backs_off_while_the_others_keep_going(redis_url: str) -> None:
    port = free_port()
    down = collector(f"redis://127.0.0.1:{port}/0", "later")
    up = collector(redis_url, "main")
    loop = CollectLoop([up, down], every=1.0, max_backoff=5.0)
    statuses: list[tuple[float, str, str, int]] = []
    try:
        for now in (0, 0.5, 1, 2, 3, 5, 6, 7, 10, 12):
            for r in loop.cycle(now=now):
                statuses.append((now, r.source, r.status, r.failures))
        later = [
            (now, status, failures)
            for now, name, status, failures in statuses
            if name == "redis:later"
        ]
        assert later == [
            (0, "failed", 1),  # retry in 1 s
            (0.5, "waiting", 1),
            (1, "failed", 2),  # retry in 2 s
            (2, "waiting", 2),
            (3, "failed", 3),  # retry in 4 s
            (5, "waiting", 3),
            (6, "waiting", 3),
            (7, "failed", 4),  # retry in 5 s (the cap), not 8
            (10, "waiting", 4),
            (12, "failed", 5),
        ]
        assert all(status == "ok" for _, name, status, _ in statuses if name == "redis:main")
        with RedisServer(port=port).start():
            (main, back) = loop.cycle(now=17)
            assert back.status == "ok" and back.recovered_after == 5 and back.failures == 0
            assert main.ok
            assert loop.cycle(now=18)[1].status == "ok"  # due again at every cycle
    finally:
        loop.close()


def test_names_and_interval_are_checked(redis_url: str) -> None:
    with pytest.raises(ValueError, match="share a name"):
        CollectLoop([collector(redis_url, "a"), collector(redis_url, "a")], every=1, max_backoff=1)
    with pytest.raises(ValueError, match="positive"):
        CollectLoop([collector(redis_url, "a")], every=0, max_backoff=1)


def test_restart_mid_collection_into_the_store(
    private_redis: RedisServer, sqlite_store: Store
) -> None:
    results: list[SourceResult] = []
    loop = CollectLoop(
        [collector(private_redis.url, "cache")],
        every=0.2,
        max_backoff=0.4,
        sink=store_sink(sqlite_store),
        on_result=results.append,
    )
    stop = threading.Event()
    worker = threading.Thread(target=loop.run, args=(stop,))
    traffic = redis.Redis.from_url(private_redis.url, socket_timeout=1)
    worker.start()
    try:
        traffic.set("k", "1")
        for _ in range(5):
            traffic.get("k")
            traffic.get("nope")
            time.sleep(0.05)
        time.sleep(0.3)
        private_redis.kill()
        assert _until(lambda: any(r.status == "failed" for r in results))
        private_redis.start()
        traffic.set("k", "1")
        assert _until(lambda: any(r.recovered_after for r in results))
        traffic.get("k")
        traffic.get("k")
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join(timeout=10)
        traffic.close()
        loop.close()
    assert not worker.is_alive()
    failed = [r for r in results if r.status == "failed"]
    assert failed and all(r.source == "redis:cache" and r.error for r in failed)
    history = redis_history(sqlite_store, instance="cache")
    assert sum(1 for h in history if h.reset and "restarted" in h.reset) == 1
    assert len({h.run_id for h in history}) == 2
    ratios = [c.ratio for c in cache_history(sqlite_store, scope="cache")]
    assert all(r is None or 0.0 <= r <= 1.0 for r in ratios)
    assert any(r == 1.0 for r in ratios), "two hits and no miss after the restart"
    (health,) = source_health(sqlite_store)
    assert health.name == "redis:cache" and health.failures == 0 and health.last_error is None
    # Every successful sample is stored, the one taken on stop included.
    ok = [r for r in results if r.ok]
    assert len(history) == len(ok)
    assert history[-1].ts >= ok[-1].at


def test_a_store_that_fails_does_not_stop_collection(redis_url: str, sqlite_store: Store) -> None:
    with sqlite_store.write() as conn:
        conn.execute(text("DROP TABLE redis_samples"))
    loop = CollectLoop(
        [collector(redis_url, "main")], every=1, max_backoff=1, sink=store_sink(sqlite_store)
    )
    try:
        (first,) = loop.cycle(now=0)
        (second,) = loop.cycle(now=1)
    finally:
        loop.close()
    assert first.ok and first.store_error is not None and "redis_samples" in first.store_error
    assert second.ok and second.store_error is not None


def _until(check: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False
