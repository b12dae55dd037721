"""The Redis cache of computed prices (``after`` mode).

One hash per rate list (``<prefix>pricing:<id>``, a field per tenant and year), so an update
invalidates every cached year of the list with one ``DEL``. Each lookup is counted in
``cache_requests_total{cache="pricing",result="hit|miss"}``. A Redis failure is a miss (the price
is computed) and is logged, never an error response.
"""

from __future__ import annotations

import logging

import redis

from perfsight.demo.metrics import HttpMetrics

log = logging.getLogger(__name__)
NAME = "pricing"


class PricingCache:
    def __init__(
        self, client: redis.Redis, prefix: str, metrics: HttpMetrics, ttl_seconds: int = 3600
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.metrics = metrics
        self.ttl_seconds = ttl_seconds

    def key(self, rate_list_id: str) -> str:
        return f"{self.prefix}{NAME}:{rate_list_id}"

    def get(self, rate_list_id: str, field: str) -> bytes | None:
        try:
            value = self.client.hget(self.key(rate_list_id), field)
        except redis.RedisError as exc:
            log.warning("pricing cache read failed: %s", exc)
            value = None
        self.metrics.cache(NAME, value is not None)
        return value if isinstance(value, bytes) else None

    def put(self, rate_list_id: str, field: str, value: bytes) -> None:
        key = self.key(rate_list_id)
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.hset(key, field, value)
                pipe.expire(key, self.ttl_seconds)
                pipe.execute()
        except redis.RedisError as exc:
            log.warning("pricing cache write failed: %s", exc)

    def invalidate(self, rate_list_id: str) -> None:
        try:
            self.client.delete(self.key(rate_list_id))
        except redis.RedisError as exc:
            log.warning("pricing cache invalidation failed: %s", exc)

    def clear(self) -> int:
        """Drop every cached price under this prefix (at start: a new process, new seed)."""
        keys = list(self.client.scan_iter(match=f"{self.prefix}{NAME}:*", count=500))
        if keys:
            self.client.delete(*keys)
        return len(keys)
