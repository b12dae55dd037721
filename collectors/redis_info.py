"""Redis ``INFO all`` (stats, commandstats, keyspace, memory, server) read into a
``RedisSnapshot`` of lifetime counters. Pure: the reply comes in, a record goes out; windows come
from two snapshots (``collectors/redis_delta.py``), the I/O is in ``redis_collector.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from perfsight.errors import SourceResponseError


@dataclass(frozen=True, slots=True)
class CommandStat:
    """Lifetime counters of one command (``INFO commandstats``: ``cmdstat_get``)."""

    calls: int
    usec: int
    rejected_calls: int = 0
    failed_calls: int = 0


@dataclass(frozen=True, slots=True)
class KeyspaceStat:
    keys: int
    expires: int
    avg_ttl_ms: int


@dataclass(frozen=True, slots=True)
class RedisSnapshot:
    """The server's counters at ``ts``. ``keyspace_hits``/``misses`` and the command counters
    are lifetime and server-wide: only the difference of two snapshots of the same ``run_id``
    means anything."""

    instance: str
    ts: float
    run_id: str
    uptime_s: int
    version: str
    keyspace_hits: int
    keyspace_misses: int
    total_commands: int
    evicted_keys: int
    expired_keys: int
    used_memory: int
    used_memory_peak: int
    maxmemory: int
    fragmentation: float | None
    connected_clients: int
    keyspace: Mapping[str, KeyspaceStat] = field(default_factory=dict)
    commands: Mapping[str, CommandStat] = field(default_factory=dict)

    @property
    def keys(self) -> int:
        return sum(db.keys for db in self.keyspace.values())

    @property
    def expires(self) -> int:
        return sum(db.expires for db in self.keyspace.values())

    def counters(self) -> dict[str, Any]:
        """The lifetime counters as JSON-able data: what the store keeps as the next cursor."""
        return {
            "run_id": self.run_id,
            "uptime_s": self.uptime_s,
            "keyspace_hits": self.keyspace_hits,
            "keyspace_misses": self.keyspace_misses,
            "total_commands": self.total_commands,
            "evicted_keys": self.evicted_keys,
            "expired_keys": self.expired_keys,
            "commands": {
                name: [c.calls, c.usec, c.rejected_calls, c.failed_calls]
                for name, c in self.commands.items()
            },
        }

    @classmethod
    def from_counters(cls, instance: str, ts: float, data: Mapping[str, Any]) -> RedisSnapshot:
        """A cursor rebuilt from ``counters()`` (gauges it did not keep are zero: a cursor is
        only ever used as the *previous* side of a delta)."""
        return cls(
            instance=instance,
            ts=ts,
            run_id=str(data["run_id"]),
            uptime_s=int(data["uptime_s"]),
            version="",
            keyspace_hits=int(data["keyspace_hits"]),
            keyspace_misses=int(data["keyspace_misses"]),
            total_commands=int(data["total_commands"]),
            evicted_keys=int(data["evicted_keys"]),
            expired_keys=int(data["expired_keys"]),
            used_memory=0,
            used_memory_peak=0,
            maxmemory=0,
            fragmentation=None,
            connected_clients=0,
            commands={
                name: CommandStat(*(int(v) for v in values))
                for name, values in data.get("commands", {}).items()
            },
        )


def parse_info(info: Mapping[str, Any], *, instance: str, ts: float) -> RedisSnapshot:
    """A snapshot from redis-py's parsed ``INFO all`` reply."""
    try:
        commands = {
            key.removeprefix("cmdstat_"): CommandStat(
                calls=int(value["calls"]),
                usec=int(value["usec"]),
                rejected_calls=int(value.get("rejected_calls", 0)),
                failed_calls=int(value.get("failed_calls", 0)),
            )
            for key, value in info.items()
            if key.startswith("cmdstat_") and isinstance(value, Mapping)
        }
        keyspace = {
            key: KeyspaceStat(
                keys=int(value.get("keys", 0)),
                expires=int(value.get("expires", 0)),
                avg_ttl_ms=int(value.get("avg_ttl", 0)),
            )
            for key, value in info.items()
            if key.startswith("db") and key[2:].isdigit() and isinstance(value, Mapping)
        }
        fragmentation = info.get("mem_fragmentation_ratio")
        return RedisSnapshot(
            instance=instance,
            ts=ts,
            # str(): redis-py turns a value that looks numeric into a number.
            run_id=str(info["run_id"]),
            uptime_s=int(info["uptime_in_seconds"]),
            version=str(info.get("redis_version", "")),
            keyspace_hits=int(info["keyspace_hits"]),
            keyspace_misses=int(info["keyspace_misses"]),
            total_commands=int(info.get("total_commands_processed", 0)),
            evicted_keys=int(info.get("evicted_keys", 0)),
            expired_keys=int(info.get("expired_keys", 0)),
            used_memory=int(info.get("used_memory", 0)),
            used_memory_peak=int(info.get("used_memory_peak", 0)),
            maxmemory=int(info.get("maxmemory", 0)),
            fragmentation=float(fragmentation) if fragmentation is not None else None,
            connected_clients=int(info.get("connected_clients", 0)),
            keyspace=keyspace,
            commands=commands,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceResponseError(
            f"INFO reply without the expected fields ({exc!r})", source=f"redis:{instance}"
        ) from exc
