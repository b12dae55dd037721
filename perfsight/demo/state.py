"""Everything one sample API process holds: its database backend (seeded), Redis, metrics,
pricing cache and mailer. Built before the server starts serving, so a request never waits for
the seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import redis

from perfsight.config.redact import redact_url
from perfsight.demo import seed
from perfsight.demo.backend import Backend
from perfsight.demo.cache import PricingCache
from perfsight.demo.config import DemoConfig
from perfsight.demo.indexes import PLAN_INDEXES, declared_indexes
from perfsight.demo.mailer import EmailQueue, EmailWorker, Smtp
from perfsight.demo.metrics import HttpMetrics
from perfsight.demo.mock_backend import MockBackend
from perfsight.demo.profilelog import ProfileWriter
from perfsight.errors import ConfigError, SourceUnavailable

REDIS_TIMEOUT = 2.0


@dataclass
class DemoState:
    config: DemoConfig
    backend: Backend
    metrics: HttpMetrics
    smtp: Smtp
    redis: redis.Redis | None = None
    cache: PricingCache | None = None
    queue: EmailQueue | None = None
    worker: EmailWorker | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def after(self) -> bool:
        return self.config.mode == "after"

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.backend.close()
        if self.redis is not None:
            self.redis.close()


def create_state(config: DemoConfig) -> DemoState:
    """Connect Redis and seed the database; raises ``PerfsightError`` for what the user must
    fix (checked first, so a mistake is reported before the seconds of seeding)."""
    if config.size not in seed.SIZES:
        raise ConfigError(f"unknown size {config.size!r}; sizes are {', '.join(seed.SIZES)}")
    client = None
    if config.mode == "after":
        if not config.redis_url:
            raise ConfigError("after mode caches in Redis: give it a Redis URL (--redis-url)")
        client = _redis(config.redis_url)
    backend, warnings = _backend(config, seed.generate(seed.SIZES[config.size]))
    state = DemoState(config, backend, HttpMetrics(), Smtp(config.smtp_ms / 1000))
    state.warnings.extend(warnings)
    if client is not None and config.redis_url:
        state.redis = client
        state.cache = PricingCache(
            client, config.redis_prefix, state.metrics, config.pricing_ttl_seconds
        )
        state.cache.clear()
        queue_key = f"{config.redis_prefix}email-queue"
        state.queue = EmailQueue(client, queue_key)
        worker_client = redis.Redis.from_url(config.redis_url, socket_timeout=REDIS_TIMEOUT + 3)
        state.worker = EmailWorker(worker_client, queue_key, state.smtp, backend)
    return state


def _backend(config: DemoConfig, data: seed.Dataset) -> tuple[Backend, list[str]]:
    indexes = declared_indexes(config.mode)
    if config.mongodb_uri:
        from perfsight.demo.mongo_backend import MongoBackend, connect

        real = MongoBackend(connect(config.mongodb_uri, config.database))
        return real, real.prepare(data, config.size, indexes, PLAN_INDEXES)
    writer = None
    if config.profile_file is not None:
        writer = ProfileWriter(Path(config.profile_file), config.profile_max_bytes)
    mock = MockBackend(config.database, indexes, writer, round_trip=config.db_rtt_ms / 1000)
    mock.seed(data)
    return mock, []


def _redis(url: str) -> redis.Redis:
    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise SourceUnavailable(
            f"cannot reach Redis at {redact_url(url)}: {exc}", source="redis"
        ) from exc
    return client
