"""unpaginated_query: finds and aggregates without a limit that return too much."""

from __future__ import annotations

from typing import Any

import pytest

from analyzers.base import AnalysisContext, run_analyzers
from analyzers.pagination import UnpaginatedQueryAnalyzer
from perfsight.config.analysis import AnalysisSettings
from perfsight.models import Finding, QueryEvent
from tests.nplusone.streams import q

BOOKINGS_FP = 'db.bookings.find({"status":"?"})'


def bookings(**kw: Any) -> QueryEvent:
    values: dict[str, Any] = {
        "filter_shape": {"status": "?"},
        "nreturned": 30,
        "cursor_exhausted": True,
        "response_length": 9000,
        "rid": "r1",
        "endpoint": "GET /api/bookings",
        "value": "open",
    }
    values.update(kw)
    start = values.pop("start", 0)
    return q(start, "travel.bookings", BOOKINGS_FP, **values)


def analyze(events: list[QueryEvent], **settings: Any) -> list[Finding]:
    context = AnalysisContext(settings=AnalysisSettings(**settings))
    return run_analyzers([UnpaginatedQueryAnalyzer(context)], events)


def reasons(found: list[Finding]) -> dict[str, int]:
    assert len(found) == 1
    return dict(found[0].evidence["reasons"])


def test_a_large_result_without_a_limit_is_unpaginated() -> None:
    found = analyze([bookings(nreturned=250, start=0), bookings(nreturned=50, start=100)])
    assert reasons(found) == {"returned": 1}
    finding = found[0]
    assert finding.kind == "unpaginated_query"
    assert (finding.namespace, finding.fingerprint, finding.endpoint) == (
        "travel.bookings", BOOKINGS_FP, None,
    )  # fmt: skip
    ev = finding.evidence
    assert (ev["max_returned"], ev["avg_returned"], ev["operations"]) == (250, 150.0, 2)
    assert ev["endpoints"] == ["GET /api/bookings"]
    assert ev["example"]["nreturned"] == 250 and ev["example"]["request_id"] == "r1"
    assert finding.severity == "warning"
    assert ".limit(" in finding.suggestion


def test_a_full_first_batch_with_an_open_cursor_counts() -> None:
    assert reasons(analyze([bookings(nreturned=101, cursor_exhausted=False)])) == {
        "open_cursor": 1,
        "returned": 1,
    }
    # With a higher bar an open cursor after 101 documents proves nothing more than 102.
    assert analyze([bookings(nreturned=101, cursor_exhausted=False)],
                   unpaginated_min_returned=500) == []  # fmt: skip
    # A small first batch (batchSize 10) with an open cursor is no evidence either.
    assert analyze([bookings(nreturned=10, cursor_exhausted=False)]) == []


def test_getmore_batches_count() -> None:
    getmore = bookings(op="getmore", command="getMore", nreturned=500, start=10)
    found = analyze([bookings(nreturned=101, cursor_exhausted=False), getmore])
    assert reasons(found) == {"getmore": 1, "open_cursor": 1, "returned": 1}
    assert found[0].evidence["getmores"] == 1
    assert found[0].evidence["getmore_returned"] == 500
    assert "getMore" in found[0].summary


def test_a_large_reply_counts() -> None:
    found = analyze([bookings(nreturned=40, response_length=2_000_000)])
    assert reasons(found) == {"large_reply": 1}
    assert found[0].evidence["max_response_bytes"] == 2_000_000


def test_an_empty_filter_scanning_a_large_collection_counts() -> None:
    event = bookings(filter_shape={}, nreturned=20, docs_examined=5000, cursor_exhausted=True)
    assert reasons(analyze([event])) == {"empty_filter": 1}


@pytest.mark.parametrize(
    "event",
    [
        bookings(nreturned=250, limit=500),
        bookings(nreturned=50),
        bookings(nreturned=5000, command="count"),
        bookings(nreturned=250, is_admin=True),
        q(
            0,
            "travel.bookings",
            'db.bookings.aggregate([{"$match":"?"},{"$limit":"?"}])',
            command="aggregate",
            nreturned=400,
        ),
    ],
    ids=["limited", "small", "count", "admin", "aggregate-with-$limit"],
)
def test_paginated_or_small_queries_are_not_flagged(event: QueryEvent) -> None:
    assert analyze([event]) == []


def test_an_aggregate_without_limit_is_flagged_with_a_stage_fix() -> None:
    event = q(0, "travel.bookings", 'db.bookings.aggregate([{"$match":"?"}])',
              command="aggregate", nreturned=3000)  # fmt: skip
    found = analyze([event])
    assert found[0].severity == "critical"  # more than 1000: AIP-158's largest page
    assert "$limit" in found[0].suggestion


@pytest.mark.parametrize(
    "allow",
    [
        {"allow_endpoints": ["GET /api/book*"]},
        {"allow_namespaces": ["travel.*"]},
        {"allow_fingerprints": [BOOKINGS_FP]},
    ],
)
def test_allow_lists(allow: dict[str, list[str]]) -> None:
    assert analyze([bookings(nreturned=250)], **allow) == []
