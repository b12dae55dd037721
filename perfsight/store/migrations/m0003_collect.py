"""Continuous collection (``perfsight collect``): Redis samples and per-command deltas, cache hit
ratios labelled by their source, latency per endpoint, and the health of each source.

Times are UTC epoch seconds. A window is ``[window_start, ts]``; a row whose window was dropped
(a Redis restart) says why in ``reset`` and has no counts.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

VERSION = 3
NAME = "collect"

metadata = MetaData()

redis_samples = Table(
    "redis_samples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance", String(100), nullable=False),
    Column("ts", Float, nullable=False),
    Column("window_start", Float),  # null: first sample (no window yet)
    Column("run_id", String(64), nullable=False),
    Column("version", String(32)),
    Column("uptime_s", BigInteger, nullable=False),
    Column("used_memory", BigInteger, nullable=False),
    Column("used_memory_peak", BigInteger, nullable=False),
    Column("maxmemory", BigInteger, nullable=False),
    Column("fragmentation", Float),
    Column("connected_clients", Integer, nullable=False),
    Column("keys", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("keyspace", JSON, nullable=False),  # db -> {keys, expires, avg_ttl_ms}
    Column("ops_per_sec", Float),  # window
    Column("evicted_keys", BigInteger),  # window delta
    Column("expired_keys", BigInteger),  # window delta
    Column("reset", String(300)),  # why the window was dropped
    Column("counters", JSON, nullable=False),  # lifetime counters: the next sample's cursor
    Index("ix_redis_samples_instance_ts", "instance", "ts"),
    Index("ix_redis_samples_ts", "ts"),
)

redis_command_samples = Table(
    "redis_command_samples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance", String(100), nullable=False),
    Column("ts", Float, nullable=False),
    Column("window_start", Float, nullable=False),
    Column("command", String(100), nullable=False),
    Column("calls", BigInteger, nullable=False),
    Column("usec", BigInteger, nullable=False),
    Column("rejected_calls", BigInteger, nullable=False),
    Column("failed_calls", BigInteger, nullable=False),
    Index("ix_redis_command_samples_instance_ts", "instance", "ts"),
    Index("ix_redis_command_samples_ts", "ts"),
)

cache_samples = Table(
    "cache_samples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(20), nullable=False),  # redis_info | app_metrics
    Column("scope", String(200), nullable=False),  # Redis instance, or app cache name / *
    Column("ts", Float, nullable=False),
    Column("window_start", Float, nullable=False),
    Column("hits", Float),
    Column("misses", Float),
    Column("ratio", Float),  # null: no data (0/0) or a dropped window
    Column("reset", String(300)),
    Index("ix_cache_samples_source_scope_ts", "source", "scope", "ts"),
    Index("ix_cache_samples_ts", "ts"),
)

latency_samples = Table(
    "latency_samples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("endpoint", String(500), nullable=False),  # endpoint key, or * for the whole app
    Column("ts", Float, nullable=False),
    Column("window_start", Float, nullable=False),
    Column("rps", Float),
    Column("error_ratio", Float),
    # Each quantile with the bucket it lies in: the true value is in (lower, upper].
    Column("p50_ms", Float),
    Column("p50_lower_ms", Float),
    Column("p50_upper_ms", Float),  # +Infinity: beyond the highest bucket
    Column("p95_ms", Float),
    Column("p95_lower_ms", Float),
    Column("p95_upper_ms", Float),
    Column("p99_ms", Float),
    Column("p99_lower_ms", Float),
    Column("p99_upper_ms", Float),
    Index("ix_latency_samples_endpoint_ts", "endpoint", "ts"),
    Index("ix_latency_samples_ts", "ts"),
)

collect_sources = Table(
    "collect_sources",
    metadata,
    Column("name", String(200), primary_key=True),  # redis:main, prometheus, …
    Column("kind", String(40), nullable=False),
    Column("target", String(500)),  # redacted URL or path
    Column("last_attempt_at", Float),
    Column("last_success_at", Float),
    Column("last_error", Text),  # of the latest attempt; null when it succeeded
    Column("failures", Integer, nullable=False, default=0),  # consecutive
    Column("next_attempt_at", Float),
)


def upgrade(connection: Connection) -> None:
    metadata.create_all(connection)
