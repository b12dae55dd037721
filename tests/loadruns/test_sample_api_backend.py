"""Acceptance: load checks of the sample API on loopback with its Redis, a Prometheus from the
services module and its profile file, the backend watched in the run's window.

``before`` fails the default profile with its planted problems attributed to their endpoints —
the itinerary N+1 to ``GET /api/itineraries/{id}``, the bookings pagination to
``GET /api/bookings`` — and ``time_outside_db`` on ``POST /api/quotes`` (its email is sent
inside the request). ``after`` passes a profile stated here, sized for a 2-core machine whose
cores the generator and the API share (the plan's 500 req/s target is the benchmark's
business), with every threshold measured — the cache hit ratio from the app's own counters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import loadruns
from loadruns import LoadOptions, RunResult
from loadruns.backend import backend_observer
from perfsight.demo.process import SampleApi
from perfsight.demo.seed import TENANTS, object_id, tenant_of
from perfsight.services import PrometheusServer
from perfsight.store import Store
from perfsight.thresholds import Outcome
from tests.loadruns.conftest import ConfigWriter

pytestmark = pytest.mark.slow

ITINERARY = "GET /api/itineraries/{id}"
BOOKINGS = "GET /api/bookings"
QUOTES = "POST /api/quotes"
PRICES = "GET /api/rate-lists/{id}/prices"
AFTER_PROFILE = (
    "http_req_duration=avg<200",
    "http_req_duration=p(95)<500",
    "http_reqs=rate>100",  # measured ≈ 300 req/s with 4 users on the shared 2 cores
    "http_req_failed=rate<0.01",
    "cache_hit_ratio=value>0.70",
    "db_queries_per_request=avg<=5",
    "n_plus_one=count==0",
    "unpaginated_endpoints=count==0",
)


@pytest.fixture(scope="module")
def prometheus(sample_api_before: SampleApi, sample_api_after: SampleApi) -> Iterator[str]:
    server = PrometheusServer(
        [api.url.removeprefix("http://") for api in (sample_api_before, sample_api_after)]
    )
    try:
        server.start()
        assert server.wait_for_scrape(timeout=30)
        yield server.url
    finally:
        server.stop()


def config(api: SampleApi, prometheus: str, redis_url: str) -> str:
    first = [i for i in range(20) if tenant_of(i) == TENANTS[0]][:5]
    itineraries = ", ".join(f'"{object_id("itineraries", i)}"' for i in first)
    rate_lists = ", ".join(f'"{object_id("rate_lists", i)}"' for i in first)
    lead, itinerary = object_id("leads", first[0]), object_id("itineraries", first[0])
    return f"""
[mongo]
profile_files = ["{api.profile_file}"]
[redis]
url = "{redis_url}"
[prometheus]
url = "{prometheus}"
selector = 'instance="127.0.0.1:{api.port}"'
[target]
base_url = "{api.url}"
list_endpoints = ["/api/bookings"]
[load]
users = 4
spawn_rate = 50
run_time = "5s"
[[load.scenario]]
path = "/api/itineraries/{{id}}"
values = {{ id = [{itineraries}] }}
weight = 3
[[load.scenario]]
path = "/api/bookings"
weight = 1
[[load.scenario]]
method = "POST"
path = "/api/quotes"
json = {{ leadId = "{lead}", itineraryId = "{itinerary}" }}
weight = 1
[[load.scenario]]
path = "/api/rate-lists/{{id}}/prices"
values = {{ id = [{rate_lists}] }}
weight = 3
"""


def check(
    api: SampleApi, options: LoadOptions, settings_text: str, write: ConfigWriter
) -> RunResult:
    settings = write(settings_text)
    plan = loadruns.make_plan(settings, options)
    with Store(settings.store.url) as store:
        return loadruns.execute(plan, store, observers=[backend_observer(settings, plan, store)])


def outcome(result: RunResult, name: str) -> Outcome:
    return next(o for o in result.outcomes if o.threshold.name == name)


def blamed(result: RunResult, out: Outcome) -> dict[str, list[Any]]:
    """Endpoint -> the findings attributed to the failure there."""
    findings = {f.id: f for f in result.findings}
    return {
        blame["endpoint"]: [findings[i] for i in blame["findings"]]
        for blame in out.extra.get("attribution", [])
    }


def test_before_fails_with_its_problems_attributed_to_their_endpoints(
    sample_api_before: SampleApi, prometheus: str, redis_url: str, write_config: ConfigWriter
) -> None:
    result = check(
        sample_api_before,
        LoadOptions(),  # the default profile: the plan's targets
        config(sample_api_before, prometheus, redis_url),
        write_config,
    )
    assert (result.status, result.exit_code) == ("failed", 1)
    assert result.total.failures == 0
    assert result.sections["backend"]["sources"] == dict.fromkeys(
        ("probe", "processes", "profiler", "prometheus", "redis"), "measured"
    )

    # The itinerary's N+1: counted, and attributed to the itinerary endpoint alone.
    n_plus_one = outcome(result, "n_plus_one count==0")
    assert n_plus_one.status == "fail"
    (loops,) = blamed(result, n_plus_one).values()
    assert list(blamed(result, n_plus_one)) == [ITINERARY]
    assert {f.namespace for f in loops} >= {"travel.itinerary_days"}
    assert all(f.kind == "n_plus_one" and f.endpoint == ITINERARY for f in loops)
    queries = outcome(result, "db_queries_per_request avg<=5")
    assert queries.status == "fail" and list(blamed(result, queries)) == [ITINERARY]

    # The bookings list: unpaginated, found by the probe, attributed to the bookings endpoint.
    unpaginated = outcome(result, "unpaginated_endpoints count==0")
    assert unpaginated.status == "fail" and list(blamed(result, unpaginated)) == [BOOKINGS]
    kinds = {f.kind for f in blamed(result, unpaginated)[BOOKINGS]}
    assert "unpaginated_endpoint" in kinds

    # The quote's email is sent inside the request: its time is outside the database.
    outside = {f.endpoint: f for f in result.findings if f.kind == "time_outside_db"}
    assert QUOTES in outside and ITINERARY not in outside  # the N+1 explains the itinerary
    assert outside[QUOTES].evidence["avg_ms"] >= 300  # the stand-in SMTP exchange: 300 ms
    assert outside[QUOTES].evidence["db_share"] < 0.5

    # Latency failures carry each endpoint's own findings, never another endpoint's.
    latency = blamed(result, outcome(result, "http_req_duration avg<200"))
    assert outside[QUOTES] in latency[QUOTES]
    for endpoint, findings in latency.items():
        assert all(endpoint in (f.endpoint, *f.evidence.get("endpoints", [])) for f in findings)
    assert not any(f.kind == "n_plus_one" for f in latency.get(BOOKINGS, []))


def test_after_passes_a_stated_profile_with_every_threshold_measured(
    sample_api_after: SampleApi, prometheus: str, redis_url: str, write_config: ConfigWriter
) -> None:
    result = check(
        sample_api_after,
        LoadOptions(profile="none", thresholds=AFTER_PROFILE, strict=True),
        config(sample_api_after, prometheus, redis_url),
        write_config,
    )
    statuses = {o.threshold.name: (o.status, o.observed) for o in result.outcomes}
    assert (result.status, result.verdict, result.exit_code) == ("passed", "pass", 0), statuses
    cache = outcome(result, "cache_hit_ratio value>0.70")
    assert cache.source is not None and cache.source.startswith("app_metrics")
    assert not [f for f in result.findings if f.kind in ("n_plus_one", "unpaginated_endpoint")]
    assert {e.endpoint for e in result.endpoints} == {ITINERARY, BOOKINGS, QUOTES, PRICES}
