"""Bad input: a 404 or 400 JSON body naming the problem, never a 500, in both modes; and
/metrics in perfsight's convention."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from perfsight.demo.process import SampleApi
from perfsight.demo.seed import object_id
from tests.demo.conftest import get

UNKNOWN = "0" * 24  # a well-formed ObjectId no document has
RATE = str(object_id("rate_lists", 3))

BAD_GETS = [
    (f"/api/itineraries/{UNKNOWN}", 404, "no itinerary"),
    ("/api/itineraries/not-an-id", 404, "no itinerary"),
    (f"/api/bookings/{UNKNOWN}", 404, "no booking"),
    (f"/api/rate-lists/{UNKNOWN}/prices", 404, "no rate list"),
    ("/api/rate-lists/xyz/prices", 404, "no rate list"),
    (f"/api/rate-lists/{RATE}/prices?year=abc", 400, "year must be an integer"),
    (f"/api/rate-lists/{RATE}/prices?year=1999", 400, "year must be between"),
    ("/api/leads?limit=0", 400, "limit must be between 1 and 100"),
    ("/api/leads?limit=101", 400, "limit must be between 1 and 100"),
    ("/api/leads?limit=ten", 400, "limit must be an integer"),
    ("/api/leads?page=0", 400, "page must be between"),
    ("/api/leads?page=-3", 400, "page must be between"),
    ("/api/leads?status=maybe", 400, "status must be one of"),
    ("/api/itineraries?limit=1e3", 400, "limit must be an integer"),
    ("/api/nothing-here", 404, "Not Found"),
    ("/static/../pyproject.toml", 404, ""),
    ("/static/missing.js", 404, "no static asset"),
]


@pytest.fixture(params=["before", "after"])
def api(request: pytest.FixtureRequest) -> SampleApi:
    fixture: SampleApi = request.getfixturevalue(f"sample_api_{request.param}")
    return fixture


@pytest.mark.parametrize(("path", "status", "message"), BAD_GETS)
def test_bad_get_is_a_json_error(api: SampleApi, path: str, status: int, message: str) -> None:
    response = get(api, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert message in response.json()["error"]


def test_paging_errors_only_where_paging_exists(
    sample_api_before: SampleApi, sample_api_after: SampleApi
) -> None:
    # before's bookings list has no paging at all (the planted problem): it ignores them.
    assert get(sample_api_before, "/api/bookings?limit=oops").status_code == 200
    response = get(sample_api_after, "/api/bookings?limit=oops")
    assert response.status_code == 400 and "limit" in response.json()["error"]
    response = get(sample_api_after, "/api/bookings?limit=100000")
    assert response.status_code == 400


def test_unknown_tenant_is_404(api: SampleApi) -> None:
    response = get(api, "/api/leads", headers={"X-Tenant-Id": "nobody"})
    assert response.status_code == 404 and "unknown tenant" in response.json()["error"]


def test_other_tenants_documents_are_not_found(api: SampleApi) -> None:
    # Booking 4 belongs to the second tenant: the default tenant cannot see it.
    path = f"/api/bookings/{object_id('bookings', 4)}"
    assert get(api, path).status_code == 404
    assert get(api, path, headers={"X-Tenant-Id": "tenant-coastal"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "a JSON body is required"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"markup": 3}', "invalid body"),
        (b'{"color": "red"}', "invalid body"),
        (b'{"seasons": [{"name": "x", "start": "13-01", "end": "01-02", "multiplier": 1}]}',
         "invalid body"),
        (b'{"baseRates": {"penthouse": 10}}', "invalid body"),
        (b"{}", "nothing to update"),
    ],
)  # fmt: skip
def test_bad_rate_list_update_is_400(api: SampleApi, body: bytes, message: str) -> None:
    response = httpx.put(f"{api.url}/api/rate-lists/{RATE}", content=body, timeout=10)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_invalid_body_names_the_field(api: SampleApi) -> None:
    response = httpx.put(f"{api.url}/api/rate-lists/{RATE}", json={"markup": "lots"}, timeout=10)
    problems = response.json()["problems"]
    assert problems[0]["field"] == "markup"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"leadId": UNKNOWN, "itineraryId": str(object_id("itineraries", 0))}, 404),
        ({"leadId": str(object_id("leads", 0)), "itineraryId": "nope"}, 404),
        ({"leadId": str(object_id("leads", 0))}, 400),
        ({"leadId": 5, "itineraryId": 6}, 400),
        ({"leadId": "a", "itineraryId": "b", "email": "not-an-address"}, 400),
    ],
)
def test_bad_quote_request(api: SampleApi, body: dict[str, object], status: int) -> None:
    response = httpx.post(f"{api.url}/api/quotes", json=body, timeout=10)
    assert response.status_code == status
    assert "error" in response.json()


def test_wrong_method_is_405_json(api: SampleApi) -> None:
    response = httpx.delete(f"{api.url}/api/bookings", timeout=10)
    assert response.status_code == 405 and "error" in response.json()


def test_metrics_follow_the_convention(sample_api_after: SampleApi) -> None:
    api = sample_api_after
    get(api, f"/api/itineraries/{object_id('itineraries', 1)}")
    get(api, f"/api/itineraries/{UNKNOWN}")
    get(api, f"/api/rate-lists/{object_id('rate_lists', 2)}/prices")
    families = {f.name: f for f in text_string_to_metric_families(get(api, "/metrics").text)}
    duration = families["http_request_duration_seconds"]
    assert duration.type == "histogram"
    buckets = {
        (s.labels["method"], s.labels["route"], s.labels["status_code"])
        for s in duration.samples
        if s.name.endswith("_bucket")
    }
    assert ("GET", "/api/itineraries/{id}", "200") in buckets
    assert ("GET", "/api/itineraries/{id}", "404") in buckets
    bounds = {float(s.labels["le"]) for s in duration.samples if s.name.endswith("_bucket")}
    assert {0.005, 0.5, 10.0} <= bounds  # fine enough for a p95 from 5 ms to 10 s
    requests = families["http_requests"]
    assert requests.type == "counter"
    assert {"method", "route", "status_code"} <= set(requests.samples[0].labels)
    queries = families["db_queries_per_request"]
    per_route = {s.labels["route"]: s.value for s in queries.samples if s.name.endswith("_count")}
    assert per_route["/api/itineraries/{id}"] >= 2
    cache = families["cache_requests"]
    assert {
        (s.labels["cache"], s.labels["result"]) for s in cache.samples if s.name.endswith("_total")
    } >= {("pricing", "miss")}
    # /metrics and /healthz do not measure themselves.
    assert not any(s.labels.get("route") == "/metrics" for s in duration.samples)
