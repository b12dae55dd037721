"""The Redis collector: ``INFO all`` from one instance per sample, with timeouts, and the
window since the previous sample.

It keeps exactly one piece of state, explicit: the previous snapshot (its cursor), which the
collection loop seeds from the store, so that ``perfsight collect --once`` run every few minutes
still gets a window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from collectors.redis_delta import RedisWindow, redis_window
from collectors.redis_info import RedisSnapshot, parse_info
from perfsight.config.redact import redact_url
from perfsight.errors import SourceResponseError, SourceUnavailable


def connect_redis(url: str, *, timeout: float) -> redis.Redis:
    """A client with a time limit on connecting and on every reply, and a single immediate
    retry (a pooled connection found dead after a server restart reconnects once); the
    collection loop does the real backing off."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 1),
        client_name="perfsight",
    )


@dataclass(frozen=True, slots=True)
class RedisSample:
    """A snapshot and the window since the previous one (``None`` on the first sample)."""

    snapshot: RedisSnapshot
    window: RedisWindow | None


class RedisCollector:
    """Samples one Redis instance. ``name`` (``redis:<instance>``) is how the collection loop,
    its messages and the store's source health call it."""

    kind = "redis"

    def __init__(
        self,
        client: redis.Redis,
        *,
        instance: str = "main",
        target: str = "",
        clock: Callable[[], float] = time.time,
        cursor: RedisSnapshot | None = None,
    ) -> None:
        self.client = client
        self.instance = instance
        self.name = f"redis:{instance}"
        self.target = redact_url(target)
        self.clock = clock
        self.cursor = cursor

    def snapshot(self) -> RedisSnapshot:
        """One ``INFO all``: typed errors for a server that is down or answers wrongly."""
        ts = self.clock()
        where = f"{self.name} ({self.target})" if self.target else self.name
        try:
            info = self.client.info("all")
        except redis.AuthenticationError as exc:  # a ConnectionError to redis-py, not to us
            raise SourceResponseError(f"authentication failed: {exc}", source=where) from exc
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise SourceUnavailable(f"no answer: {exc}", source=where) from exc
        except redis.RedisError as exc:  # auth, ACL (NOPERM), a renamed INFO …
            raise SourceResponseError(f"INFO failed: {exc}", source=where) from exc
        return parse_info(info, instance=self.instance, ts=ts)

    def sample(self, now: float | None = None) -> list[RedisSample]:
        """Take a snapshot and the window since the cursor; move the cursor. A sample that
        fails leaves the cursor where it was, so the next window spans the outage (and a
        restart during it is caught by the run_id). The snapshot's time is when INFO was
        read (the clock's), whatever ``now`` the loop passes."""
        current = self.snapshot()
        window = redis_window(self.cursor, current) if self.cursor is not None else None
        self.cursor = current
        return [RedisSample(current, window)]

    def close(self) -> None:
        self.client.close()
