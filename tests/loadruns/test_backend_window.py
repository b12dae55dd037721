"""The database side of a run's window, from hand-built profiler events: queries per request,
N+1 counted whatever its time, the window's edges, and database time per request against the
load generator's response times (``time_outside_db``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analyzers.base import AnalysisContext
from loadruns.backend.db_time import DbTimeTracker, OutsideDbRule, outside_db_findings, union_ms
from loadruns.backend.window import WindowAnalysis
from loadruns.result import EndpointStats
from perfsight.config.analysis import AnalysisSettings
from perfsight.models import epoch
from perfsight.thresholds import parse_cli
from tests.nplusone.streams import ENDPOINT, T0, by_end, itinerary_request, q

QUOTES = "POST /api/quotes"


def stats(endpoint: str, requests: int, avg_ms: float) -> EndpointStats:
    return EndpointStats(
        endpoint, requests, 0, avg_ms, avg_ms, avg_ms, avg_ms, avg_ms, avg_ms, avg_ms, 10.0
    )


def quote(rid: str, start_ms: float) -> list:
    return [
        q(
            start_ms,
            "travel.quotes",
            'db.quotes.insert({"leadId":"?"})',
            millis=5,
            rid=rid,
            endpoint=QUOTES,
            value=rid,
            op="insert",
            command="insert",
        )
    ]


def window_events() -> list:
    early = itinerary_request("r0", -5_000, days=6)  # before the run: not in its window
    fast = itinerary_request("r1", 0, days=6, lookup_ms=1)  # 6 ms of N+1: still reported
    slow = itinerary_request("r2", 200, days=6)
    return by_end(early, fast, slow, quote("q1", 100), quote("q2", 400))


def test_the_window_measures_queries_per_request_and_counts_every_n_plus_one() -> None:
    analysis = WindowAnalysis(AnalysisContext(), start=epoch(T0))
    for event in window_events():
        analysis.feed(event)
    analysis.end = epoch(T0) + 60
    findings = analysis.findings()
    kinds = [f.kind for f in findings]
    assert kinds.count("n_plus_one") == 1  # one endpoint × shape, both requests in it
    (n1,) = [f for f in findings if f.kind == "n_plus_one"]
    assert n1.endpoint == ENDPOINT and n1.evidence["requests"] == 2
    metrics = analysis.metrics(findings, seconds=60)

    def observed(text: str) -> float | None:
        observation = metrics.observe(parse_cli(text))
        assert observation is not None
        return observation.value

    assert observed(f"db_queries_per_request{{endpoint:{ENDPOINT}}}=avg<=5") == 8.0
    assert observed(f"db_queries_per_request{{endpoint:{QUOTES}}}=max<=5") == 1.0
    assert observed("n_plus_one=count==0") == 1.0
    assert observed(f"n_plus_one{{endpoint:{QUOTES}}}=count==0") == 0.0
    assert observed("missing_indexes=count==0") == 0.0
    summary = analysis.summary()
    assert summary["events_outside_window"] == 8 and summary["requests"] == 4
    none = metrics.observe(parse_cli("db_queries_per_request{endpoint:GET /x}=avg<5"))
    assert none is not None and none.value is None and "no request to GET /x" in (none.detail or "")


def test_the_default_n_plus_one_time_floor_would_have_hidden_the_fast_loop() -> None:
    from analyzers.nplusone import NPlusOneAnalyzer

    offline = NPlusOneAnalyzer(AnalysisContext(AnalysisSettings()))
    for event in itinerary_request("r1", 0, days=6, lookup_ms=1):
        offline.feed(event)
    assert offline.findings() == []  # 6 ms < 50 ms: a load run must still see it


def test_union_of_a_requests_operation_intervals() -> None:
    assert union_ms([(0.0, 0.010), (0.005, 0.020), (0.030, 0.031)]) == pytest.approx(21.0)
    assert union_ms([]) == 0.0


def test_concurrent_queries_of_one_request_are_not_counted_twice() -> None:
    tracker = DbTimeTracker()
    for event in itinerary_request("r1", 0, days=5, lookup_ms=10, concurrent=True):
        tracker.feed(event)
    table = tracker.per_endpoint()
    # 3 ms + 4 ms + the five lookups running together (the longest: 14 ms) from 9 ms on.
    assert table[ENDPOINT].db_ms == pytest.approx(3 + 4 + 14, abs=0.01)
    assert table[ENDPOINT].queries == 7 and table[ENDPOINT].requests == 1


def test_time_outside_db_for_a_slow_endpoint_the_database_does_not_explain() -> None:
    tracker = DbTimeTracker()
    for event in by_end(itinerary_request("r1", 0, days=6), quote("q1", 0), quote("q2", 500)):
        tracker.feed(event)
    db = tracker.per_endpoint()
    rule = OutsideDbRule(min_avg_ms=100, max_share=0.5)
    window = (T0, T0 + timedelta(seconds=5))
    found = outside_db_findings(
        db, [stats(QUOTES, 2, 412.0), stats(ENDPOINT, 1, 120.0)], rule, window=window
    )
    (finding,) = found  # the itinerary spends most of its 120 ms in the database
    assert (finding.kind, finding.endpoint) == ("time_outside_db", QUOTES)
    assert finding.evidence["db_ms_per_request"] == 5.0
    assert finding.evidence["outside_ms_per_request"] == 407.0
    assert finding.evidence["db_share"] == pytest.approx(5 / 412, abs=1e-4)
    assert "412 ms per request on average, of which 5.0 ms in MongoDB (1%)" in finding.summary
    assert finding.first_seen == T0
    # Fast endpoints, and runs whose profiler saw nothing, say nothing.
    assert outside_db_findings(db, [stats(QUOTES, 2, 80.0)], rule) == []
    assert outside_db_findings({}, [stats(QUOTES, 2, 412.0)], rule) == []


def test_requests_without_queries_count_as_zero_database_time() -> None:
    tracker = DbTimeTracker()
    for event in quote("q1", 0):
        tracker.feed(event)
    # 10 requests, one of which queried (5 ms): 0.5 ms per request of 150.
    (finding,) = outside_db_findings(
        tracker.per_endpoint(), [stats(QUOTES, 10, 150.0)], OutsideDbRule()
    )
    assert finding.evidence["db_ms_per_request"] == 0.5


def test_an_endpoint_with_an_n_plus_one_is_left_to_it() -> None:
    """The profiler times operations on the server: a loop's network round trips look like
    time outside the database. The N+1 is the explanation, not another cause."""
    tracker = DbTimeTracker()
    for event in itinerary_request("r1", 0, days=6, lookup_ms=1):
        tracker.feed(event)
    db = tracker.per_endpoint()
    endpoints = [stats(ENDPOINT, 1, 300.0)]
    assert [f.endpoint for f in outside_db_findings(db, endpoints, OutsideDbRule())] == [ENDPOINT]
    assert outside_db_findings(db, endpoints, OutsideDbRule(), explained={ENDPOINT}) == []
