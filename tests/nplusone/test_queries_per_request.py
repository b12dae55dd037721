"""db_queries_per_request: the distribution of queries per request, per endpoint."""

from __future__ import annotations

import pytest

from analyzers.base import run_analyzers
from analyzers.queries_per_request import QueriesPerRequestAnalyzer, QueryCountStats
from perfsight.models import QueryEvent
from perfsight.thresholds import parse_cli
from tests.nplusone.streams import ITINERARY_FP, by_end, q


def request(rid: str, endpoint: str | None, queries: int, start: float) -> list[QueryEvent]:
    return [
        q(start + i * 5, "travel.x", ITINERARY_FP, millis=2, rid=rid, endpoint=endpoint, value=i)
        for i in range(queries)
    ]


@pytest.fixture
def analyzer() -> QueriesPerRequestAnalyzer:
    # GET /api/bookings: 20 requests of 1..20 queries; GET /api/itineraries/{id}: 3 of 9.
    streams = [request(f"b{n}", "GET /api/bookings", n, n * 3.0) for n in range(1, 21)]
    streams += [request(f"i{n}", "GET /api/itineraries/{id}", 9, n) for n in range(3)]
    streams += [request("anon", None, 4, 0)]
    no_rid = q(1, "travel.x", ITINERARY_FP, rid=None)
    admin = q(1, "admin.$cmd", "ping", rid="b1", is_admin=True)
    found = QueriesPerRequestAnalyzer()
    assert run_analyzers([found], [*by_end(*streams), no_rid, admin]) == []
    return found


def test_distribution_per_endpoint(analyzer: QueriesPerRequestAnalyzer) -> None:
    stats = analyzer.per_endpoint()
    assert list(stats) == [None, "GET /api/bookings", "GET /api/itineraries/{id}"]
    bookings = stats["GET /api/bookings"]
    assert (bookings.requests, bookings.min, bookings.max) == (20, 1, 20)
    assert bookings.avg == pytest.approx(10.5)
    assert bookings.med == pytest.approx(10.5)
    assert bookings.p95 == pytest.approx(19.05)  # k6: linear between ranks 18 and 19
    itineraries = stats["GET /api/itineraries/{id}"]
    assert itineraries.to_dict() == {
        "requests": 3, "avg": 9.0, "min": 9, "med": 9.0, "p95": 9.0, "max": 9,
    }  # fmt: skip
    assert stats[None].max == 4  # requests whose comment carries no route
    overall = analyzer.overall()
    assert overall is not None and overall.requests == 24


@pytest.mark.parametrize(
    ("threshold", "expected", "status"),
    [
        ("db_queries_per_request=avg<=5", (210 + 27 + 4) / 24, "fail"),
        ("db_queries_per_request=max<30", 20.0, "pass"),
        ("db_queries_per_request{endpoint:GET /api/itineraries/{id}}=p(95)<10", 9.0, "pass"),
        ("db_queries_per_request{endpoint:/api/bookings}=med<5", 10.5, "fail"),
        ("db_queries_per_request{endpoint:/api/bookings}=p(50)<11", 10.5, "pass"),
        ("db_queries_per_request{endpoint:GET /api/unknown}=avg<5", None, "not_measured"),
    ],
)
def test_observe_answers_thresholds(
    analyzer: QueriesPerRequestAnalyzer, threshold: str, expected: float | None, status: str
) -> None:
    parsed = parse_cli(threshold)
    observed = analyzer.observe(parsed)
    assert observed == (pytest.approx(expected) if expected is not None else None)
    assert parsed.evaluate(observed).status == status


def test_nothing_measured_without_request_ids() -> None:
    analyzer = QueriesPerRequestAnalyzer()
    run_analyzers([analyzer], [q(1, "travel.x", ITINERARY_FP, rid=None)])
    assert analyzer.per_endpoint() == {}
    assert analyzer.overall() is None
    threshold = parse_cli("db_queries_per_request=avg<5")
    assert threshold.evaluate(analyzer.observe(threshold)).status == "not_measured"


def test_stats_value_names_match_threshold_stats() -> None:
    from collections import Counter

    stats = QueryCountStats.of(Counter({2: 3, 10: 1}))
    assert stats is not None
    assert stats.value("avg") == 4.0
    assert stats.value("p99.9") == pytest.approx(9.976)
    assert stats.value("rate") is None
