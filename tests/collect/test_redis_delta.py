"""Windows between two Redis snapshots: deltas, restarts, resets, new commands."""

from __future__ import annotations

from dataclasses import replace

import pytest

from collectors.redis_delta import redis_window, reset_reason
from collectors.redis_info import CommandStat, RedisSnapshot

BASE = RedisSnapshot(
    instance="main",
    ts=1000.0,
    run_id="a" * 40,
    uptime_s=500,
    version="7.0.15",
    keyspace_hits=100,
    keyspace_misses=50,
    total_commands=1000,
    evicted_keys=0,
    expired_keys=3,
    used_memory=1 << 20,
    used_memory_peak=2 << 20,
    maxmemory=0,
    fragmentation=1.2,
    connected_clients=4,
    commands={"get": CommandStat(150, 300), "set": CommandStat(20, 80)},
)


def later(**changes: object) -> RedisSnapshot:
    values: dict[str, object] = {"ts": 1015.0, "uptime_s": 515}
    values.update(changes)
    return replace(BASE, **values)  # type: ignore[arg-type]


def test_ratio_of_deltas() -> None:
    cur = later(
        keyspace_hits=190,
        keyspace_misses=60,
        total_commands=1300,
        commands={"get": CommandStat(250, 500), "set": CommandStat(20, 80)},
    )
    window = redis_window(BASE, cur)
    assert (window.cache.hits, window.cache.misses) == (90, 10)
    assert window.hit_ratio == pytest.approx(0.9)
    assert window.ops_per_sec == pytest.approx(300 / 15)
    assert [(c.command, c.calls, c.usec) for c in window.commands] == [("get", 100, 200)]
    assert window.commands[0].usec_per_call == 2.0


def test_zero_lookups_is_no_data() -> None:
    window = redis_window(BASE, later())
    assert window.cache.lookups == 0
    assert window.hit_ratio is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"run_id": "b" * 40, "uptime_s": 3}, "restarted (run_id"),
        ({"uptime_s": 10}, "restarted (uptime"),
        ({"keyspace_hits": 5}, "counters went down (keyspace_hits)"),
        ({"keyspace_misses": 0, "keyspace_hits": 0}, "keyspace_hits, keyspace_misses"),
        ({"commands": {"get": CommandStat(150, 300)}}, "cmdstat_set"),
        ({"commands": {"get": CommandStat(1, 2), "set": CommandStat(20, 80)}}, "cmdstat_get"),
        ({"ts": 900.0}, "clock went backwards"),
    ],
)
def test_restarts_and_resets_drop_the_window(changes: dict[str, object], reason: str) -> None:
    cur = later(**changes)
    assert reason in (reset_reason(BASE, cur) or "")
    window = redis_window(BASE, cur)
    assert window.reset is not None and reason in window.reset
    assert window.cache.reset == window.reset
    assert window.hit_ratio is None
    assert window.cache.hits is None and window.cache.misses is None
    assert window.commands == () and window.ops_per_sec is None


def test_a_command_first_seen_counts_from_zero_and_rejections_count() -> None:
    cur = later(
        commands={
            "get": CommandStat(150, 300),
            "set": CommandStat(20, 80),
            "hgetall": CommandStat(4, 40, rejected_calls=0, failed_calls=1),
            "bad": CommandStat(0, 0, rejected_calls=2),
        }
    )
    deltas = {c.command: c for c in redis_window(BASE, cur).commands}
    assert set(deltas) == {"hgetall", "bad"}
    assert (deltas["hgetall"].calls, deltas["hgetall"].failed_calls) == (4, 1)
    assert deltas["bad"].rejected_calls == 2 and deltas["bad"].usec_per_call is None


def test_snapshots_of_two_instances_do_not_mix() -> None:
    with pytest.raises(ValueError, match="two instances"):
        redis_window(BASE, replace(BASE, instance="other"))


def test_cursor_round_trip_keeps_every_counter() -> None:
    again = RedisSnapshot.from_counters("main", BASE.ts, BASE.counters())
    cur = later(
        keyspace_hits=101, commands={"get": CommandStat(151, 301), "set": BASE.commands["set"]}
    )
    assert redis_window(again, cur) == redis_window(BASE, cur)
