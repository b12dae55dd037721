"""Shape statistics: per shape per bucket, exact percentiles, redacted examples, merging, and
the store table (replace when a file is analysed again, add when read in pieces)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from analyzers.shapes import ShapeStats, percentile
from collectors.mongo_normalize import Normalizer
from perfsight.models import QueryEvent
from perfsight.store import Store
from perfsight.store.prune import prune
from perfsight.store.shapes import load_shape_stats, save_shape_stats

T0 = datetime(2024, 7, 9, 18, 0, tzinfo=UTC)


def event(
    millis: float,
    *,
    at: timedelta = timedelta(0),
    tenant: str = "acme",
    email: str = "ann@example.com",
    **stats: Any,
) -> QueryEvent:
    doc = {
        "op": "query",
        "ns": "travel.leads",
        "command": {"find": "leads", "filter": {"tenant": tenant, "email": email}, "limit": 5},
        "ts": T0 + at,
        "millis": millis,
        "planSummary": "COLLSCAN",
        "docsExamined": 1000,
        "keysExamined": 0,
        "nreturned": 4,
        "responseLength": 500,
        "queryHash": "ABCD1234",
        **stats,
    }
    made = Normalizer().profile_document(doc)
    assert made is not None
    return made


def test_statistics_per_shape_and_bucket() -> None:
    stats = ShapeStats(3600)
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    for index, millis in enumerate(values):
        stats.feed(event(millis, at=timedelta(minutes=index)))
    stats.feed(event(50, at=timedelta(hours=1, minutes=5), hasSortStage=True, usedDisk=True))
    stats.feed(event(7, tenant="other"))  # the same shape, other values
    first, second = stats.buckets()
    assert first.bucket_start == T0.timestamp() and second.bucket_start == T0.timestamp() + 3600
    assert first.count == 11 and second.count == 1
    assert first.p50_millis == 6 and first.p95_millis == 100 and first.max_millis == 100
    assert first.avg_millis == pytest.approx((sum(values) + 7) / 11)
    assert first.docs_examined == 11_000 and first.nreturned == 44
    assert first.scan_ratio == pytest.approx(11_000 / 44)
    assert first.plans == {"COLLSCAN": 11} and first.query_hashes == {"ABCD1234": 11}
    assert (second.sort_stages, second.disk_uses) == (1, 1)
    (total,) = stats.totals()
    assert total.count == 12 and total.buckets == 2
    assert total.first_seen == T0 and total.last_seen == T0 + timedelta(hours=1, minutes=5)
    data = total.to_dict()
    assert data["fingerprint"] == 'db.leads.find({"tenant":"?","email":"?"}).limit(?)'
    assert data["in_memory_sorts"] == 1 and data["count"] == 12


def test_percentiles_are_nearest_rank_and_long_durations_keep_three_digits() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({10: 1}, 0.95) == 10
    assert percentile({1: 50, 2: 45, 3: 5}, 0.95) == 2
    assert percentile({1: 50, 2: 44, 3: 6}, 0.95) == 3
    stats = ShapeStats()
    for millis in (12_345, 12_349, 0.25):
        stats.feed(event(millis))
    (stat,) = stats.buckets()
    assert stat.millis_hist == {12_300.0: 2, 0.25: 1}
    assert stat.max_millis == 12_349  # the maximum and the total stay exact
    assert stat.total_millis == pytest.approx(24_694.25)


def test_examples_are_redacted_unless_asked() -> None:
    redacted = ShapeStats()
    redacted.feed(event(5))
    (stat,) = redacted.buckets()
    assert stat.example is not None
    assert stat.example["command"] == {
        "find": "leads",
        "filter": {"tenant": "?", "email": "?"},
        "limit": "?",
    }
    assert "ann@example.com" not in repr(stat.example) and "acme" not in repr(stat.example)
    raw = ShapeStats(raw_examples=True, redact_fields=["email"])
    raw.feed(event(5))
    (stat,) = raw.buckets()
    assert stat.example is not None
    assert stat.example["command"]["filter"] == {"tenant": "acme", "email": "?"}


def test_merged_parts_equal_the_whole() -> None:
    events = [event(m, at=timedelta(minutes=17 * m)) for m in range(1, 12)]
    whole = ShapeStats(1800)
    for e in events:
        whole.feed(e)
    left, right = ShapeStats(1800), ShapeStats(1800)
    for index, e in enumerate(events):
        (left if index % 3 else right).feed(e)
    left.merge(right)
    assert [s.to_dict() for s in left.totals()] == [s.to_dict() for s in whole.totals()]
    assert [s.to_dict() for s in left.buckets()] == [s.to_dict() for s in whole.buckets()]


def _fed(*events: QueryEvent) -> ShapeStats:
    stats = ShapeStats(3600)
    for e in events:
        stats.feed(e)
    return stats


def test_store_replace_add_load_and_prune(store: Store) -> None:
    stats = _fed(event(5), event(7), event(9, at=timedelta(hours=2)))
    assert save_shape_stats(store, stats.buckets(), source="analyze a.log", now=1.0) == 2
    assert save_shape_stats(store, stats.buckets(), source="analyze a.log", now=2.0) == 2
    loaded = load_shape_stats(store, source="analyze a.log")
    assert [s.count for s in loaded] == [2, 1]  # analysed twice, counted once
    assert [dataclasses.asdict(s) for s in loaded] == [
        dataclasses.asdict(s) for s in stats.buckets()
    ]
    # read in pieces: the second piece adds to its bucket
    save_shape_stats(store, _fed(event(20)).buckets(), source="collect", mode="add")
    save_shape_stats(store, _fed(event(30), event(1_500)).buckets(), source="collect", mode="add")
    (piece,) = load_shape_stats(store, source="collect")
    assert piece.count == 3 and piece.millis_hist == {20: 1, 30: 1, 1_500: 1}
    assert piece.p50_millis == 30 and piece.max_millis == 1_500
    window = load_shape_stats(store, since=T0.timestamp() + 3600)
    assert [(s.count, s.bucket_start) for s in window] == [(1, T0.timestamp() + 7200)]
    counts = prune(store, 3600, now=T0.timestamp() + 3 * 3600 - 1)
    assert counts["query_shapes"] == 2
    assert [s.count for s in load_shape_stats(store)] == [1]
