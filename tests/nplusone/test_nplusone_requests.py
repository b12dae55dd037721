"""N+1 and redundant queries grouped by the request ids of query comments."""

from __future__ import annotations

import random
from typing import Any

import pytest

from analyzers.base import AnalysisContext, run_analyzers
from analyzers.nplusone import NPlusOneAnalyzer
from perfsight.config.analysis import AnalysisSettings
from perfsight.models import Finding
from tests.nplusone.streams import (
    DAYS_FP,
    ENDPOINT,
    SERVICES_FP,
    SERVICES_IN_FP,
    by_end,
    itinerary_request,
    q,
)


def analyze(events: list[Any], **settings: Any) -> list[Finding]:
    context = AnalysisContext(settings=AnalysisSettings(**settings))
    return run_analyzers([NPlusOneAnalyzer(context)], events)


def kinds(found: list[Finding]) -> list[str]:
    return [f.kind for f in found]


def test_a_loop_after_a_source_query_is_an_n_plus_one() -> None:
    found = analyze(itinerary_request("r1", 0))
    assert kinds(found) == ["n_plus_one"]
    finding = found[0]
    assert (finding.endpoint, finding.namespace, finding.fingerprint) == (
        ENDPOINT,
        "travel.services",
        SERVICES_FP,
    )
    assert finding.confidence == "high"
    assert finding.severity == "warning"
    ev = finding.evidence
    assert ev["detection"] == "request_id"
    assert ev["requests"] == 1 and ev["endpoint_requests"] == 1
    assert ev["median_queries"] == 7 and ev["max_queries"] == 7
    assert ev["total_ms"] == 70.0
    assert ev["source_namespace"] == "travel.days"
    assert ev["source_fingerprint"] == DAYS_FP
    assert ev["example"]["request_id"] == "r1"
    assert ev["example"]["distinct_params"] == 7
    assert ev["example"]["request_queries"] == 9
    # The fix names the field the loop looks documents up by.
    assert '"dayId": {"$in"' in finding.suggestion
    assert "populate" in finding.suggestion and "$lookup" in finding.suggestion
    assert finding.first_seen is not None and finding.last_seen is not None
    assert finding.first_seen < finding.last_seen


def test_interleaved_requests_are_kept_apart() -> None:
    # Three looping requests and one that loads a 3-day itinerary, all at once.
    streams = [itinerary_request(f"r{i}", i * 3) for i in range(3)]
    streams.append(itinerary_request("short", 2, days=3))
    found = analyze(by_end(*streams))
    assert kinds(found) == ["n_plus_one"]
    ev = found[0].evidence
    assert ev["requests"] == 3
    assert ev["endpoint_requests"] == 4
    assert ev["median_queries"] == 7


def test_two_small_interleaved_requests_do_not_add_up_to_an_n_plus_one() -> None:
    # 3 + 3 lookups of one shape at the same moments: 6 in a row without request ids.
    events = by_end(itinerary_request("a", 0, days=3), itinerary_request("b", 1, days=3))
    assert analyze(events) == []


def test_concurrent_lookups_in_one_request_count() -> None:
    """Promise.all over the days: every lookup starts together and they finish out of order,
    interleaved with a second concurrent lookup per day (a hotel)."""
    generated = itinerary_request("p1", 0, days=6, concurrent=True)
    hotels = [
        q(9.5, "travel.hotels", 'db.hotels.find({"_id":"?"})', millis=6 + d, rid="p1",
          value=f"h{d}", filter_shape={"_id": "?"})
        for d in range(6)
    ]  # fmt: skip
    events = by_end(generated, hotels)
    arrival = [e.params_hash for e in events if e.namespace == "travel.services"]
    issued = [e.params_hash for e in generated if e.namespace == "travel.services"]
    assert arrival != issued and sorted(arrival) == sorted(issued)  # out of order, all there
    found = analyze(events)
    assert sorted((f.kind, f.namespace) for f in found) == [
        ("n_plus_one", "travel.hotels"),
        ("n_plus_one", "travel.services"),
    ]
    assert all(f.evidence["source_namespace"] == "travel.days" for f in found)
    services = next(f for f in found if f.namespace == "travel.services")
    assert services.evidence["median_queries"] == 6


def test_a_batched_in_is_never_an_n_plus_one() -> None:
    source = itinerary_request("b1", 0, days=0)
    one_batch = q(10, "travel.services", SERVICES_IN_FP, rid="b1", value="all",
                  filter_shape={"dayId": {"$in": "?"}}, nreturned=40)  # fmt: skip
    assert analyze([*source, one_batch]) == []
    # A DataLoader sending its ids in chunks: six $in queries with distinct ids.
    chunks = [
        q(10 + i * 11, "travel.services", SERVICES_IN_FP, rid="b2", value=f"chunk{i}",
          filter_shape={"dayId": {"$in": "?"}}, nreturned=100)
        for i in range(6)
    ]  # fmt: skip
    assert analyze([*itinerary_request("b2", 0, days=0), *chunks]) == []


def test_a_batched_in_is_recognised_from_the_fingerprint_alone() -> None:
    chunks = [
        q(10 + i * 11, "travel.services", SERVICES_IN_FP, rid="b3", value=f"chunk{i}",
          filter_shape=None)
        for i in range(6)
    ]  # fmt: skip
    assert analyze([*itinerary_request("b3", 0, days=0), *chunks]) == []


def test_identical_repeats_are_a_redundant_query_only() -> None:
    found = analyze(itinerary_request("same", 0, days=6, same_value=True))
    assert kinds(found) == ["redundant_query"]
    finding = found[0]
    assert finding.namespace == "travel.services" and finding.endpoint == ENDPOINT
    assert finding.evidence["max_copies"] == 6
    assert finding.evidence["repeated_queries"] == 5
    assert finding.evidence["wasted_ms"] == 50.0
    assert finding.severity == "warning"  # 6 copies >= n_plus_one_min_repeats
    assert "cache" in finding.suggestion.lower()


def test_distinct_and_repeated_parameters_give_both_findings() -> None:
    events = itinerary_request("mix", 0, days=6)
    again = q(200, "travel.services", SERVICES_FP, rid="mix", value="mix-day0",
              filter_shape={"dayId": "?"})  # fmt: skip
    found = analyze([*events, again])
    assert sorted(kinds(found)) == ["n_plus_one", "redundant_query"]
    redundant = next(f for f in found if f.kind == "redundant_query")
    assert redundant.severity == "info"
    assert redundant.evidence["max_copies"] == 2


@pytest.mark.parametrize(("days", "expected"), [(4, []), (5, ["n_plus_one"])])
def test_fewer_than_n_repeats_is_nothing(days: int, expected: list[str]) -> None:
    assert kinds(analyze(itinerary_request("r", 0, days=days, lookup_ms=20))) == expected


def test_the_minimum_total_time_applies_and_zero_reports_everything() -> None:
    quick = itinerary_request("r", 0, days=5, lookup_ms=2)  # 10 ms in all
    assert analyze(quick) == []
    assert kinds(analyze(quick, n_plus_one_min_total="0")) == ["n_plus_one"]
    assert kinds(analyze(quick, n_plus_one_min_total="10ms")) == ["n_plus_one"]
    assert analyze(quick, n_plus_one_min_total="11ms") == []


def test_a_loop_without_a_source_query_is_not_flagged() -> None:
    lookups = [e for e in itinerary_request("r", 0) if e.namespace == "travel.services"]
    assert analyze(lookups) == []


@pytest.mark.parametrize(
    "allow",
    [
        {"allow_endpoints": ["GET /api/itineraries/*"]},
        {"allow_namespaces": ["travel.serv*"]},
        {"allow_fingerprints": [SERVICES_FP]},  # exact, although it holds '?' and '['
        {"allow_fingerprints": ["db.services.*"]},
    ],
)
def test_an_allow_listed_pattern_is_not_reported(allow: dict[str, list[str]]) -> None:
    events = itinerary_request("r", 0, same_value=False)
    assert analyze(events, **allow) == []


def test_allow_lists_match_only_what_they_name() -> None:
    events = itinerary_request("r", 0)
    assert kinds(analyze(events, allow_endpoints=["GET /api/bookings"])) == ["n_plus_one"]
    assert kinds(analyze(events, allow_namespaces=["travel.days"])) == ["n_plus_one"]


def test_a_request_without_a_route_is_reported_with_a_null_endpoint() -> None:
    found = analyze(itinerary_request("r", 0, endpoint=None))
    assert kinds(found) == ["n_plus_one"]
    assert found[0].endpoint is None
    assert "requests without a route" in found[0].summary


def test_a_slow_pattern_is_critical() -> None:
    found = analyze(itinerary_request("r", 0, days=10, lookup_ms=60))
    assert found[0].severity == "critical"


def test_writes_in_a_loop_suggest_a_bulk_write() -> None:
    events = itinerary_request("w", 0, days=0)
    events += [
        q(20 + i * 12, "travel.services", 'db.services.update({"_id":"?"},{"$set":"?"})',
          op="update", command="update", rid="w", value=i, filter_shape={"_id": "?"})
        for i in range(6)
    ]  # fmt: skip
    found = analyze(events)
    assert kinds(found) == ["n_plus_one"]
    assert "bulkWrite" in found[0].suggestion


def test_admin_commands_and_getmores_are_not_patterns() -> None:
    events = itinerary_request("r", 0, days=0)
    events += [
        q(20 + i * 12, "admin.$cmd", "ping", op="command", command="ping", rid="r",
          value=i, is_admin=True)
        for i in range(6)
    ]  # fmt: skip
    events += [
        q(100 + i * 12, "travel.days", DAYS_FP, op="getmore", command="getMore", rid="r", value=i)
        for i in range(6)
    ]
    analyzer = NPlusOneAnalyzer()
    assert run_analyzers([analyzer], events) == []
    assert analyzer.coverage.admin == 6


def test_results_are_deterministic_and_findings_can_be_read_mid_stream() -> None:
    rng = random.Random(7)
    streams = [itinerary_request(f"r{i}", rng.uniform(0, 50), days=rng.randint(3, 9))
               for i in range(30)]  # fmt: skip
    events = by_end(*streams)
    analyzer = NPlusOneAnalyzer()
    for event in events[: len(events) // 2]:
        analyzer.feed(event)
    halfway = [f.to_dict() for f in analyzer.findings()]
    assert halfway == [f.to_dict() for f in analyzer.findings()]  # reading changes nothing
    for event in events[len(events) // 2 :]:
        analyzer.feed(event)
    first = [f.to_dict() for f in analyzer.findings()]
    second = [f.to_dict() for f in analyze(events)]
    assert first == second
    assert first[0]["evidence"]["endpoint_requests"] == 30


def test_requests_are_closed_when_idle_so_memory_stays_bounded() -> None:
    # 2,000 requests, one every 100 ms (200 s of traffic), with request_idle 5 s.
    context = AnalysisContext(settings=AnalysisSettings(request_idle="5s"))
    analyzer = NPlusOneAnalyzer(context)
    most_open = 0
    for i in range(2000):
        for event in itinerary_request(f"r{i}", i * 100.0):
            analyzer.feed(event)
        most_open = max(most_open, analyzer.open_requests)
    assert most_open <= 52  # 5 s of requests, not 2,000
    found = analyzer.findings()
    assert found[0].evidence["requests"] == 2000
    assert analyzer.coverage.requests == 2000


def test_a_constant_comment_is_not_one_enormous_request() -> None:
    """A comment such as "getUser" labels a query, not a request: every call shares it. Its
    queries never go quiet, so without a limit they would form one request of thousands."""
    from analyzers.queries_per_request import QueriesPerRequestAnalyzer

    events = [*itinerary_request("getUser", 0, days=0)]
    events += [
        q(10 + i * 2000, "travel.users", 'db.users.find({"_id":"?"})', rid="getUser",
          value=i, filter_shape={"_id": "?"})
        for i in range(400)  # one lookup every 2 s for 800 s
    ]  # fmt: skip
    analyzer, counter = NPlusOneAnalyzer(), QueriesPerRequestAnalyzer()
    assert run_analyzers([analyzer, counter], events) == []
    assert analyzer.coverage.not_requests == 2
    overall = counter.overall()
    assert overall is not None and overall.max <= 152  # what fits in 300 s, not 402
