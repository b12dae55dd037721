"""The Redis collector against real servers: the machine's Redis for exact deltas (inside a
MULTI/EXEC, so no other client's commands can land between the two INFO replies), and a
private redis-server killed and restarted mid-collection."""

from __future__ import annotations

import pytest
import redis

from collectors.redis_collector import RedisCollector, connect_redis
from collectors.redis_delta import RedisWindow, redis_window
from collectors.redis_info import parse_info
from perfsight.errors import SourceResponseError, SourceUnavailable
from perfsight.services import RedisServer, free_port


def _lookups(client: redis.Redis, key_prefix: str, hits: int, misses: int) -> None:
    client.set(key_prefix + "present", "1")
    for _ in range(hits):
        client.get(key_prefix + "present")
    for _ in range(misses):
        client.get(key_prefix + "absent")
    client.delete(key_prefix + "present")


def test_window_from_two_info_replies_is_exact(redis_url: str, key_prefix: str) -> None:
    client = connect_redis(redis_url, timeout=2)
    try:
        pipe = client.pipeline(transaction=True)
        pipe.info("all")
        pipe.set(key_prefix + "present", "1")
        for _ in range(7):
            pipe.get(key_prefix + "present")
        for _ in range(3):
            pipe.get(key_prefix + "absent")
        pipe.info("all")
        pipe.delete(key_prefix + "present")
        replies = pipe.execute()
    finally:
        client.close()
    before = parse_info(replies[0], instance="main", ts=100.0)
    after = parse_info(replies[-2], instance="main", ts=115.0)
    window = redis_window(before, after)
    assert window.reset is None
    assert (window.cache.hits, window.cache.misses) == (7, 3)
    assert window.hit_ratio == pytest.approx(0.7)
    assert window.cache.source == "redis_info" and window.cache.scope == "main"
    calls = {c.command: c.calls for c in window.commands}
    # The first INFO is counted once it has run; MULTI before it, EXEC after the second.
    assert calls == {"get": 10, "set": 1, "info": 1}
    assert window.seconds == 15.0
    assert window.ops_per_sec == pytest.approx(12 / 15)


def test_no_lookups_is_no_data(redis_url: str) -> None:
    client = connect_redis(redis_url, timeout=2)
    try:
        pipe = client.pipeline(transaction=True)
        pipe.info("all")
        pipe.info("all")
        first, second = pipe.execute()
    finally:
        client.close()
    window = redis_window(
        parse_info(first, instance="main", ts=1.0), parse_info(second, instance="main", ts=2.0)
    )
    assert (window.cache.hits, window.cache.misses) == (0, 0)
    assert window.hit_ratio is None  # 0/0: not 0 %, not 100 %


def test_collector_samples_the_machine_redis(redis_url: str, key_prefix: str) -> None:
    client = connect_redis(redis_url, timeout=2)
    collector = RedisCollector(client, instance="main", target=redis_url)
    try:
        (first,) = collector.sample()
        assert first.window is None  # no previous snapshot: no window yet
        assert first.snapshot.run_id and first.snapshot.version
        _lookups(client, key_prefix, hits=4, misses=2)
        (second,) = collector.sample()
    finally:
        collector.close()
    window = second.window
    assert window is not None and window.reset is None
    # The server is shared: others may add lookups, never take ours away.
    assert window.cache.hits is not None and window.cache.hits >= 4
    assert window.cache.misses is not None and window.cache.misses >= 2
    ratio = window.hit_ratio
    assert ratio is not None and 0.0 <= ratio <= 1.0
    assert collector.cursor is second.snapshot


def _ratio_ok(window: RedisWindow | None) -> None:
    if window is not None and window.hit_ratio is not None:
        assert 0.0 <= window.hit_ratio <= 1.0


def test_restart_mid_collection_is_reported_and_dropped(private_redis: RedisServer) -> None:
    traffic = redis.Redis.from_url(private_redis.url, socket_timeout=2)
    collector = RedisCollector(
        connect_redis(private_redis.url, timeout=2), instance="cache", target=private_redis.url
    )
    windows = []
    try:
        collector.sample()
        _lookups(traffic, "k:", hits=5, misses=5)
        (sample,) = collector.sample()
        windows.append(sample.window)
        assert sample.window is not None
        assert (sample.window.cache.hits, sample.window.cache.misses) == (5, 5)
        before_restart = collector.cursor

        private_redis.kill()
        with pytest.raises(SourceUnavailable, match="redis:cache"):
            collector.sample()
        assert collector.cursor is before_restart  # a failed sample leaves the cursor

        private_redis.start()
        _lookups(traffic, "k:", hits=2, misses=0)
        (sample,) = collector.sample()
        windows.append(sample.window)
        assert sample.window is not None
        assert sample.window.reset is not None and sample.window.reset.startswith("restarted")
        assert sample.window.hit_ratio is None and sample.window.cache.hits is None
        assert sample.window.commands == ()

        _lookups(traffic, "k:", hits=3, misses=1)
        (sample,) = collector.sample()
        windows.append(sample.window)
        assert sample.window is not None and sample.window.reset is None
        assert sample.window.hit_ratio == pytest.approx(0.75)

        traffic.config_resetstat()  # same run_id, counters back to zero
        (sample,) = collector.sample()
        windows.append(sample.window)
        assert sample.window is not None and sample.window.reset is not None
        assert "went down" in sample.window.reset and sample.window.hit_ratio is None

        _lookups(traffic, "k:", hits=0, misses=2)
        (sample,) = collector.sample()
        windows.append(sample.window)
        assert sample.window is not None and sample.window.hit_ratio == 0.0
    finally:
        traffic.close()
        collector.close()
    for window in windows:
        _ratio_ok(window)


def test_a_server_that_is_not_there_is_unavailable_quickly() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    collector = RedisCollector(connect_redis(url, timeout=1), instance="gone", target=url)
    with pytest.raises(SourceUnavailable) as info:
        collector.sample()
    assert info.value.source == f"redis:gone ({url})"


def test_passwords_never_appear_in_names_or_errors() -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    collector = RedisCollector(connect_redis(url, timeout=1), instance="s", target=url)
    assert "hunter2" not in collector.target
    with pytest.raises(SourceUnavailable) as info:
        collector.sample()
    assert "hunter2" not in str(info.value)


def test_a_refused_password_is_a_response_error(private_redis: RedisServer) -> None:
    admin = redis.Redis.from_url(private_redis.url, socket_timeout=2)
    admin.config_set("requirepass", "right")
    admin.close()
    for url in (private_redis.url, private_redis.url.replace("//", "//:wrong@")):
        collector = RedisCollector(connect_redis(url, timeout=1), instance="s", target=url)
        with pytest.raises(SourceResponseError, match="authentication failed") as info:
            collector.sample()
        assert "wrong" not in str(info.value)
        collector.close()
