"""Attribution of failed thresholds to the findings of the same window, by endpoint key: a
finding on another endpoint is never attributed."""

from __future__ import annotations

from loadruns.aggregate import RunAggregate
from loadruns.attribution import attribute, short
from loadruns.backend.counts import FindingCounts
from loadruns.verdict import LoadMetrics, evaluate
from perfsight.models import Finding
from perfsight.thresholds import parse_cli
from tests.loadruns.test_aggregate import tick

ITINERARY = "GET /api/itineraries/{id}"
BOOKINGS = "GET /api/bookings"
QUOTES = "POST /api/quotes"


def n_plus_one(endpoint: str, namespace: str, median: int, requests: int, of: int) -> Finding:
    return Finding(
        kind="n_plus_one",
        severity="critical",
        summary=f"N+1 in {endpoint}",
        suggestion="batch it",
        namespace=namespace,
        endpoint=endpoint,
        fingerprint=f"db.{namespace}.find(...)",
        evidence={
            "median_queries": median,
            "requests": requests,
            "endpoint_requests": of,
            "total_ms": 900.0,
        },
    )


def unpaginated_query(namespace: str, endpoints: list[str]) -> Finding:
    return Finding(
        kind="unpaginated_query",
        severity="warning",
        summary=f"Unpaginated find on {namespace}",
        suggestion="page it",
        namespace=namespace,
        fingerprint=f"db.{namespace}.find({{}})",
        evidence={"max_returned": 2400, "endpoints": endpoints, "total_ms": 300.0},
    )


def load() -> LoadMetrics:
    """Itineraries slow (1,800–1,900 ms), bookings medium (600), quotes fast (40)."""
    aggregate = RunAggregate()
    aggregate.apply(
        tick(
            103.0,
            4,
            {
                100: {ITINERARY: [1800, 1840, 1850], BOOKINGS: [600, 610], QUOTES: [40, 41]},
                101: {ITINERARY: [1900], BOOKINGS: [620], QUOTES: [42, 43]},
            },
        )
    )
    return LoadMetrics(aggregate)


FINDINGS = [
    n_plus_one(ITINERARY, "travel.itinerary_days", 31, 46, 50),
    unpaginated_query("travel.bookings", [BOOKINGS]),
]


def run(*texts: str, findings: list[Finding] = FINDINGS) -> list[dict]:
    metrics = load()
    counts = FindingCounts(findings, {"n_plus_one": "n_plus_one"}, source="profiler", seconds=2)
    sources = [metrics, counts]
    outcomes = evaluate([parse_cli(text) for text in texts], sources)
    attributed = attribute(
        outcomes,
        findings,
        sources=sources,
        endpoints=metrics.aggregate.endpoint_stats(),
        caveats={"http_reqs": "load generator saturated"},
    )
    return [dict(o.extra) | {"status": o.status} for o in attributed]


def test_a_scoped_failure_names_the_findings_of_its_endpoint() -> None:
    (extra,) = run("http_req_duration{endpoint:GET /api/itineraries/{id}}=p(95)<500")
    (blame,) = extra["attribution"]
    assert blame["endpoint"] == ITINERARY
    assert blame["findings"] == [FINDINGS[0].id]
    assert blame["text"] == (
        "p(95) 1,900 ms > 500 on GET /api/itineraries/{id}: N+1 on travel.itinerary_days "
        "(31 queries/request, 92 % of requests)"
    )


def test_a_finding_on_another_endpoint_is_not_attributed() -> None:
    (extra,) = run("http_req_duration{endpoint:POST /api/quotes}=p(95)<10")
    (blame,) = extra["attribution"]
    assert blame["endpoint"] == QUOTES and blame["findings"] == []
    assert blame["text"].endswith("no finding of this window explains it")
    # The itinerary's N+1 and the bookings' unpaginated query exist, but not on quotes.
    assert all(FINDINGS[i].id not in blame["findings"] for i in range(2))


def test_an_unscoped_failure_is_broken_down_into_the_endpoints_that_fail_it() -> None:
    (extra,) = run("http_req_duration=p(95)<500")
    blames = extra["attribution"]
    assert [b["endpoint"] for b in blames] == [ITINERARY, BOOKINGS]  # worst first; quotes pass
    assert blames[0]["findings"] == [FINDINGS[0].id]
    assert blames[1]["findings"] == [FINDINGS[1].id]  # matched through its evidence endpoints
    assert "unpaginated query on travel.bookings (up to 2,400 documents)" in blames[1]["text"]


def test_passing_thresholds_carry_no_attribution() -> None:
    (extra,) = run("http_req_duration{endpoint:POST /api/quotes}=p(95)<500")
    assert extra == {"status": "pass"}


def test_counted_metrics_are_attributed_to_the_counted_findings() -> None:
    (extra,) = run("n_plus_one=count==0")
    (blame,) = extra["attribution"]
    assert (blame["endpoint"], blame["observed"], blame["findings"]) == (
        ITINERARY,
        1.0,
        [FINDINGS[0].id],
    )


def test_throughput_is_attributed_to_where_the_users_spend_their_time() -> None:
    (extra,) = run("http_reqs=rate>500")
    blames = extra["attribution"]
    assert blames[0]["endpoint"] == ITINERARY  # 7,390 ms of the 9,236 ms spent
    assert blames[0]["findings"] == [FINDINGS[0].id]
    assert extra["caveats"] == ["load generator saturated"]


def test_no_finding_kind_explains_errors_but_the_endpoints_are_named() -> None:
    findings = [n_plus_one(BOOKINGS, "travel.bookings", 10, 3, 3)]
    (extra,) = run("http_req_failed=rate<0.01", findings=findings)
    # The helper fails every request of 500 ms or more: itineraries and bookings, not quotes.
    assert {b["endpoint"] for b in extra["attribution"]} == {ITINERARY, BOOKINGS}
    assert all(b["findings"] == [] for b in extra["attribution"])


def test_missing_indexes_are_attributed_by_namespace() -> None:
    index = Finding(
        kind="missing_index",
        severity="warning",
        summary="COLLSCAN on travel.leads",
        suggestion="db.leads.createIndex({tenant: 1, createdAt: -1})",
        namespace="travel.leads",
        fingerprint="db.leads.find(...)",
        index=(("tenant", 1), ("createdAt", -1)),
    )
    other = Finding(
        kind="missing_index",
        severity="warning",
        summary="COLLSCAN on travel.quotes",
        suggestion="…",
        namespace="travel.quotes",
        fingerprint="db.quotes.find(...)",
        index=(("leadId", 1),),
    )
    counts = FindingCounts(
        [index, other], {"missing_indexes": "missing_index"}, source="profiler", seconds=1
    )
    threshold = parse_cli("missing_indexes{namespace:travel.leads}=count==0")
    outcomes = attribute(
        evaluate([threshold], [counts]), [index, other], sources=[counts], endpoints=[]
    )
    (blame,) = outcomes[0].extra["attribution"]
    assert blame["findings"] == [index.id]
    assert "missing index on travel.leads {tenant: 1, createdAt: -1}" in blame["text"]


def test_short_texts_of_every_kind_keep_their_numbers() -> None:
    outside = Finding(
        kind="time_outside_db",
        severity="warning",
        summary="…",
        suggestion="…",
        endpoint=QUOTES,
        evidence={"db_ms_per_request": 6.2, "avg_ms": 412.0},
    )
    assert short(outside) == "time outside the database (MongoDB 6.2 ms of 412 ms per request)"
