"""The listener's ticks added up: whole-run figures per endpoint and the per-second series."""

from __future__ import annotations

import orjson

from loadruns import wire
from loadruns.aggregate import OPEN_SECONDS, RunAggregate
from loadruns.histogram import Histogram
from perfsight.store.runs import TOTAL


def tick(t: float, users: int | None, data: dict[int, dict[str, list[float]]]) -> dict:
    seconds = {}
    for second, per_endpoint in data.items():
        seconds[second] = {}
        for name, times in per_endpoint.items():
            hist = Histogram()
            for ms in times:
                hist.add(ms, start=second, end=second + 0.5, failed=ms >= 500)
            seconds[second][name] = hist
    return orjson.loads(wire.encode_tick(t, users, seconds))


def test_rows_per_completed_second_with_zero_rows_for_stalls() -> None:
    agg = RunAggregate()
    agg.apply(tick(101.02, 2, {100: {"GET /a": [10, 20, 30], "GET /b": [500]}}))
    assert [(r.ts, r.endpoint) for r in agg.settle()] == [
        (100.0, TOTAL),
        (100.0, "GET /a"),
        (100.0, "GET /b"),
    ]
    agg.apply(tick(103.02, 3, {102: {"GET /a": [40]}, 103: {"GET /a": [50]}}))
    rows = agg.settle()
    assert [(r.ts, r.endpoint, r.requests) for r in rows if r.endpoint == TOTAL] == [
        (101.0, TOTAL, 0),
        (102.0, TOTAL, 1),
    ]
    final = agg.settle(final=True)
    assert [(r.ts, r.endpoint, r.requests) for r in final] == [
        (103.0, TOTAL, 1),
        (103.0, "GET /a", 1),
    ]
    total = agg.total_stats()
    assert (total.requests, total.failures, total.max_ms) == (6, 1, 500)
    first = agg.rows[(100.0, TOTAL)]
    assert (first.requests, first.failures, first.p95_ms, first.users) == (4, 1, 500, 2)


def test_a_late_worker_report_updates_its_second() -> None:
    agg = RunAggregate()
    agg.apply(tick(101.02, 2, {100: {"GET /a": [10]}}))
    agg.settle()
    agg.apply(tick(102.02, 2, {100: {"GET /a": [20]}, 101: {"GET /a": [30]}}))
    rows = {(r.ts, r.endpoint): r for r in agg.settle()}
    assert rows[(100.0, TOTAL)].requests == 2 and rows[(101.0, TOTAL)].requests == 1


def test_very_late_reports_count_in_totals_only() -> None:
    agg = RunAggregate()
    agg.apply(tick(100.02, 1, {99: {"GET /a": [10]}}))
    agg.apply(tick(100.0 + OPEN_SECONDS + 10, 1, {130: {"GET /a": [10]}}))
    agg.settle()
    agg.apply(tick(100.0 + OPEN_SECONDS + 11, 1, {99: {"GET /a": [10]}}))
    assert agg.late_requests == 1
    assert agg.total_stats().requests == 3
    assert 99 not in agg.open


def test_scope_selects_endpoints_like_thresholds_do() -> None:
    agg = RunAggregate()
    agg.apply(tick(101.0, 1, {100: {"GET /x": [1], "POST /x": [2], "GET /y": [3]}}))
    assert agg.select("/x").count == 2
    assert agg.select("POST /x").count == 1
    assert agg.select(None).count == 3
