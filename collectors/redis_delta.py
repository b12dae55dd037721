"""The window between two Redis snapshots: hit ratio from counter deltas, per-command deltas,
and restart detection. Pure functions.

Redis counters are lifetime values that start again at zero on a restart (new ``run_id``) or
after ``CONFIG RESETSTAT`` (same ``run_id``, counters lower than before). A delta across
either is meaningless, so the window is dropped — reported with its reason, no counts, no
ratio — and the next window is measured from the new snapshot. (A reset followed by more
traffic than before, within one window and on the same run_id, cannot be seen: the counters
are higher again by then.)
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.records import CacheSample
from collectors.redis_info import RedisSnapshot


@dataclass(frozen=True, slots=True)
class CommandDelta:
    """What one command did in the window (``INFO commandstats`` differences)."""

    command: str
    calls: int
    usec: int
    rejected_calls: int
    failed_calls: int

    @property
    def usec_per_call(self) -> float | None:
        return self.usec / self.calls if self.calls else None


@dataclass(frozen=True, slots=True)
class RedisWindow:
    """One Redis instance between two samples. ``reset`` is set (and the counts are ``None``)
    when the window spans a restart or a statistics reset."""

    instance: str
    start: float
    end: float
    cache: CacheSample
    commands: tuple[CommandDelta, ...]
    total_commands: int | None
    evicted_keys: int | None
    expired_keys: int | None
    reset: str | None = None

    @property
    def hit_ratio(self) -> float | None:
        return self.cache.ratio

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def ops_per_sec(self) -> float | None:
        if self.total_commands is None or self.seconds <= 0:
            return None
        return self.total_commands / self.seconds


def reset_reason(prev: RedisSnapshot, cur: RedisSnapshot) -> str | None:
    """Why the counters of ``cur`` cannot be compared with ``prev``, or ``None``."""
    if cur.run_id != prev.run_id:
        return f"restarted (run_id {prev.run_id[:8]}… → {cur.run_id[:8]}…)"
    if cur.uptime_s < prev.uptime_s:
        return "restarted (uptime went down)"
    if cur.ts < prev.ts:
        return "the clock went backwards between the two samples"
    counters = (
        ("keyspace_hits", prev.keyspace_hits, cur.keyspace_hits),
        ("keyspace_misses", prev.keyspace_misses, cur.keyspace_misses),
        ("total_commands_processed", prev.total_commands, cur.total_commands),
        ("evicted_keys", prev.evicted_keys, cur.evicted_keys),
        ("expired_keys", prev.expired_keys, cur.expired_keys),
    )
    down = [name for name, before, after in counters if after < before]
    for name, before_stat in prev.commands.items():
        after_stat = cur.commands.get(name)
        if after_stat is None or after_stat.calls < before_stat.calls:
            down.append(f"cmdstat_{name}")
            break
    if down:
        return f"counters went down ({', '.join(down)}): a restart or CONFIG RESETSTAT"
    return None


def redis_window(prev: RedisSnapshot, cur: RedisSnapshot) -> RedisWindow:
    """The window ``prev → cur`` of one instance. Ratio = Δhits / (Δhits + Δmisses); 0/0 is no
    data; a restart between the two drops the window (``reset`` says why)."""
    if prev.instance != cur.instance:
        raise ValueError(f"snapshots of two instances: {prev.instance!r} and {cur.instance!r}")
    reason = reset_reason(prev, cur)
    if reason is not None:
        return RedisWindow(
            instance=cur.instance,
            start=prev.ts,
            end=cur.ts,
            cache=CacheSample("redis_info", cur.instance, prev.ts, cur.ts, None, None, reason),
            commands=(),
            total_commands=None,
            evicted_keys=None,
            expired_keys=None,
            reset=reason,
        )
    hits = cur.keyspace_hits - prev.keyspace_hits
    misses = cur.keyspace_misses - prev.keyspace_misses
    return RedisWindow(
        instance=cur.instance,
        start=prev.ts,
        end=cur.ts,
        cache=CacheSample("redis_info", cur.instance, prev.ts, cur.ts, hits, misses),
        commands=command_deltas(prev, cur),
        total_commands=cur.total_commands - prev.total_commands,
        evicted_keys=cur.evicted_keys - prev.evicted_keys,
        expired_keys=cur.expired_keys - prev.expired_keys,
    )


def command_deltas(prev: RedisSnapshot, cur: RedisSnapshot) -> tuple[CommandDelta, ...]:
    """Commands called (or rejected) in the window, the most time-consuming first. A command
    first seen in ``cur`` started from zero."""
    deltas = []
    for name, after in cur.commands.items():
        before = prev.commands.get(name)
        delta = CommandDelta(
            command=name,
            calls=after.calls - (before.calls if before else 0),
            usec=after.usec - (before.usec if before else 0),
            # Redis 7 counts a rejected command (wrong arity, OOM, ACL) here and not in calls.
            rejected_calls=after.rejected_calls - (before.rejected_calls if before else 0),
            failed_calls=after.failed_calls - (before.failed_calls if before else 0),
        )
        if delta.calls > 0 or delta.rejected_calls > 0 or delta.failed_calls > 0:
            deltas.append(delta)
    deltas.sort(key=lambda d: (-d.usec, d.command))
    return tuple(deltas)
