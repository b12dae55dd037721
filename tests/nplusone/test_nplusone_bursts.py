"""N+1 without request ids: bursts per client, confidence low."""

from __future__ import annotations

from typing import Any

from analyzers.base import AnalysisContext, run_analyzers
from analyzers.nplusone import NPlusOneAnalyzer
from perfsight.config.analysis import AnalysisSettings
from perfsight.models import Finding, QueryEvent
from tests.nplusone.streams import SERVICES_FP, by_end, itinerary_request


def analyze(events: list[QueryEvent], **settings: Any) -> list[Finding]:
    context = AnalysisContext(settings=AnalysisSettings(**settings))
    return run_analyzers([NPlusOneAnalyzer(context)], events)


def client_loop(client: str, start_ms: float, days: int, **kw: Any) -> list[QueryEvent]:
    return itinerary_request(
        None, start_ms, days=days, client=client, endpoint=None, tag=f"{client}@{start_ms}", **kw
    )


def with_ports(events: list[QueryEvent], host: str) -> list[QueryEvent]:
    """A connection pool: the same client host on a different port for every operation."""
    from dataclasses import replace

    return [replace(e, client=f"{host}:{50000 + i % 5}") for i, e in enumerate(events)]


def test_interleaved_clients_each_show_their_burst() -> None:
    first = with_ports(client_loop("x", 0, days=6, gap_ms=5), "10.0.0.1")
    second = with_ports(client_loop("x", 3, days=6, gap_ms=5), "10.0.0.2")
    found = analyze(by_end(first, second))
    assert [f.kind for f in found] == ["n_plus_one"]
    finding = found[0]
    assert finding.confidence == "low"
    assert finding.endpoint is None
    assert (finding.namespace, finding.fingerprint) == ("travel.services", SERVICES_FP)
    ev = finding.evidence
    assert ev["detection"] == "burst"
    assert ev["bursts"] == 2
    assert ev["median_queries"] == 6
    assert ev["source_namespace"] == "travel.days"
    assert ev["clients"] == ["10.0.0.1", "10.0.0.2"]
    assert ev["example"]["source_returned"] == 6
    assert "no request ids" in finding.summary


def test_small_loops_of_two_clients_do_not_merge() -> None:
    """3 + 3 lookups interleaved after sources that returned 6: one client sending all of it
    would be a burst of 6 matching its source."""
    from dataclasses import replace

    def loop(client: str, start: float) -> list[QueryEvent]:
        events = client_loop(client, start, days=3, lookup_ms=20)
        return [replace(e, nreturned=6) if e.namespace == "travel.days" else e for e in events]

    assert analyze(by_end(loop("10.0.0.1", 0), loop("10.0.0.2", 2))) == []
    merged = analyze(by_end(loop("10.0.0.1", 0), loop("10.0.0.1", 2)))
    assert [(f.kind, f.evidence["median_queries"]) for f in merged] == [("n_plus_one", 6)]


def test_clients_are_told_apart_by_app_name_too() -> None:
    from dataclasses import replace

    def loop(app: str, start: float) -> list[QueryEvent]:
        events = client_loop("10.0.0.9", start, days=3, lookup_ms=20)
        return [
            replace(e, app_name=app, nreturned=6 if e.namespace == "travel.days" else 1)
            for e in events
        ]

    assert analyze(by_end(loop("api", 0), loop("worker", 2))) == []
    assert len(analyze(by_end(loop("api", 0), loop("api", 2)))) == 1


def test_a_source_returning_far_more_than_the_burst_is_not_its_source() -> None:
    from dataclasses import replace

    events = client_loop("10.0.0.1", 0, days=6)
    events = [replace(e, nreturned=40) if e.namespace == "travel.days" else e for e in events]
    assert analyze(events) == []


def test_a_gap_longer_than_burst_max_gap_splits_the_burst() -> None:
    slow_loop = client_loop("10.0.0.1", 0, days=6, gap_ms=150)
    assert analyze(slow_loop) == []
    assert [f.kind for f in analyze(slow_loop, burst_max_gap="200ms")] == ["n_plus_one"]


def test_identical_repeats_without_request_ids_are_not_an_n_plus_one() -> None:
    assert analyze(client_loop("10.0.0.1", 0, days=6, same_value=True)) == []


def test_request_ids_win_over_bursts_for_the_same_shape() -> None:
    with_ids = itinerary_request("r1", 0)
    without = client_loop("10.0.0.1", 1000, days=7)
    found = analyze([*with_ids, *without])
    assert [(f.kind, f.confidence) for f in found] == [("n_plus_one", "high")]


def test_bursts_are_allow_listed_like_requests() -> None:
    events = client_loop("10.0.0.1", 0, days=6)
    assert analyze(events, allow_namespaces=["travel.services"]) == []


def test_events_without_request_ids_are_counted_in_the_coverage() -> None:
    analyzer = NPlusOneAnalyzer()
    events = [*itinerary_request("r1", 0), *client_loop("10.0.0.1", 1000, days=6)]
    run_analyzers([analyzer], events)
    coverage = analyzer.coverage
    assert coverage.events == len(events)
    assert coverage.with_request_id == 9
    assert coverage.without_request_id == 8
    assert coverage.requests == 1
