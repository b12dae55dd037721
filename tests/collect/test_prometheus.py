"""The Prometheus collector against a real Prometheus scraping real apps whose latencies the
test chose: each quantile's reported bucket holds the value computed from the chosen sleeps,
idle endpoints are "no data", error and cache ratios are exact."""

from __future__ import annotations

from typing import Any

import pytest

from collectors.prometheus import PrometheusCollector, connect_prometheus
from collectors.promql import query_set
from collectors.records import ALL, PrometheusSample, QuantileEstimate
from perfsight.config.prometheus import PrometheusSettings
from perfsight.demo.metrics import DURATION_BUCKETS
from perfsight.errors import SourceResponseError, SourceUnavailable
from perfsight.services import free_port
from tests.collect.conftest import (
    BOOM_MS,
    EXPORTER_LOAD,
    EXPORTER_ROUTES,
    FAST_MS,
    PERFSIGHT_LOAD,
    PERFSIGHT_ROUTES,
    SLOW_MS,
    LoadedTarget,
    nearest_rank,
    sleeps,
)

WINDOW = 120.0  # covers the whole session's data: every test reads the same evaluation
QUANTILES = (0.5, 0.95, 0.99)


def make_collector(target: LoadedTarget, layout: str, **config: Any) -> PrometheusCollector:
    settings = PrometheusSettings(
        url=target.prometheus.url,
        convention=config.pop("convention", layout),
        selector=target.instance(layout),
        **config,
    )
    client = connect_prometheus(settings.url or "", timeout=10)
    return PrometheusCollector(client, query_set(settings), rate_window=WINDOW, timeout=10)


@pytest.fixture(scope="module")
def sample(loaded: LoadedTarget) -> PrometheusSample:
    collector = make_collector(loaded, "perfsight")
    try:
        return collector.snapshot(at=loaded.at)
    finally:
        collector.close()


def _spec(path: str, routes: tuple[str, ...] = PERFSIGHT_ROUTES) -> str:
    return next(r for r in routes if r.startswith(path + "="))


# The app measures its own sleep plus what the event loop adds (scheduling, serialising),
# which a busy 2-core machine can stretch: the true server-side time of a chosen sleep lies in
# [sleep, sleep + SCHEDULING_SLACK_MS], and the reported bucket must meet that interval.
SCHEDULING_SLACK_MS = 40.0


def _check(estimate: QuantileEstimate, expected_ms: float) -> None:
    assert estimate.value_ms is not None, f"p{estimate.q * 100:g}: no data"
    assert estimate.lower_ms is not None and estimate.upper_ms is not None
    assert estimate.lower_ms <= expected_ms + SCHEDULING_SLACK_MS, (
        f"p{estimate.q * 100:g}: {expected_ms} ms is below the reported bucket "
        f"({estimate.lower_ms}, {estimate.upper_ms}] by more than the scheduling slack"
    )
    assert expected_ms <= estimate.upper_ms, (
        f"p{estimate.q * 100:g}: {expected_ms} ms is above the reported bucket "
        f"({estimate.lower_ms}, {estimate.upper_ms}]"
    )
    assert estimate.lower_ms <= estimate.value_ms <= estimate.upper_ms


@pytest.mark.parametrize("q", QUANTILES)
@pytest.mark.parametrize("path", ["/fast", "/slow", "/mixed", "/boom"])
def test_each_quantile_per_endpoint_lies_in_the_bucket_reported(
    sample: PrometheusSample, path: str, q: float
) -> None:
    expected = nearest_rank(sleeps(_spec(path), PERFSIGHT_LOAD[path]), q)
    endpoint = sample.endpoint(f"GET {path}")
    assert endpoint is not None
    estimate = endpoint.quantile(q)
    _check(estimate, expected)
    # The bounds are two neighbouring bounds of the app's bucket layout (or 0 and the first).
    bounds = (0.0, *(b * 1000 for b in DURATION_BUCKETS))
    lower_index = next(i for i, b in enumerate(bounds) if b == pytest.approx(estimate.lower_ms))
    assert estimate.upper_ms == pytest.approx(bounds[lower_index + 1])


def test_mixed_route_separates_median_from_tail(sample: PrometheusSample) -> None:
    mixed = sample.endpoint("GET /mixed")
    assert mixed is not None
    assert mixed.p50.upper_ms is not None and mixed.p50.upper_ms < 100  # the 65 ms majority
    assert mixed.p95.lower_ms is not None and mixed.p95.lower_ms >= 300  # the 330 ms tail


@pytest.mark.parametrize("q", QUANTILES)
def test_whole_app_quantiles(sample: PrometheusSample, q: float) -> None:
    every = [ms for path, count in PERFSIGHT_LOAD.items() for ms in sleeps(_spec(path), count)]
    whole = sample.endpoint(ALL)
    assert whole is not None
    _check(whole.quantile(q), nearest_rank(every, q))


def test_an_idle_endpoint_is_no_data(sample: PrometheusSample) -> None:
    idle = sample.endpoint("GET /idle")
    assert idle is not None, "the idle route's series exist, so it is listed"
    assert idle.rps == 0.0  # a measured zero: its counter did not move
    assert idle.error_ratio is None
    for estimate in idle.quantiles:
        assert estimate.value_ms is None  # not NaN, not 0
        assert estimate.lower_ms is None and estimate.upper_ms is None


def test_error_ratio_and_rates_are_exact(sample: PrometheusSample) -> None:
    by_key = {e.endpoint: e for e in sample.endpoints}
    assert by_key["GET /boom"].error_ratio == pytest.approx(1.0)
    for path in ("/fast", "/slow", "/mixed"):
        assert by_key[f"GET {path}"].error_ratio == 0.0
    total = sum(PERFSIGHT_LOAD.values())
    assert by_key[ALL].error_ratio == pytest.approx(PERFSIGHT_LOAD["/boom"] / total, rel=1e-9)
    # Every series of one target is scraped at the same instants, so Prometheus extrapolates
    # their rates alike: ratios of rates are ratios of request counts.
    fast, slow = by_key["GET /fast"].rps, by_key["GET /slow"].rps
    assert fast and slow
    assert fast / slow == pytest.approx(PERFSIGHT_LOAD["/fast"] / PERFSIGHT_LOAD["/slow"])


def test_app_cache_hit_ratio_is_labelled_and_exact(sample: PrometheusSample) -> None:
    caches = {c.scope: c for c in sample.caches}
    assert {c.source for c in sample.caches} == {"app_metrics"}
    assert caches["items"].ratio == pytest.approx(0.75, rel=1e-9)  # hit, hit, hit, miss
    assert caches["sessions"].ratio == pytest.approx(0.5, rel=1e-9)  # hit, miss
    assert caches[ALL].ratio == pytest.approx((30 + 10) / (40 + 20), rel=1e-9)
    assert sample.cache() is caches[ALL]


def test_window_covers_exactly_the_load(loaded: LoadedTarget) -> None:
    collector = make_collector(loaded, "perfsight")
    during = collector.window(loaded.load_started - 0.5, loaded.at)
    assert during.start == loaded.load_started - 0.5 and during.end == loaded.at
    slow = during.endpoint("GET /slow")
    assert slow is not None
    _check(slow.p95, SLOW_MS)
    before = collector.window(loaded.load_started - 60, loaded.load_started - 0.2)
    for endpoint in before.endpoints:
        assert all(e.value_ms is None for e in endpoint.quantiles), endpoint
    with pytest.raises(ValueError, match="not after"):
        collector.window(10.0, 10.0)


def test_range_series_has_no_data_before_the_load_and_data_after(loaded: LoadedTarget) -> None:
    collector = make_collector(loaded, "perfsight")
    points = collector.series(loaded.load_started - 1, loaded.at, 1)
    assert len(points) >= 3
    first, last = points[0].endpoint("GET /fast"), points[-1].endpoint("GET /fast")
    assert first is None or first.p95.value_ms is None
    assert last is not None
    _check(last.p95, FAST_MS)


# Each exporter's own bucket layout decides how exact its figures can be.
EXPORTER_BUCKETS = {
    "express-prom-bundle": {"/fast": (30, 100), "/slow": (100, 300), ALL: (100, 300)},
    "fastapi-instrumentator": {"/fast": (0, 100), "/slow": (100, 500), ALL: (100, 250)},
    "starlette-exporter": {"/fast": (50, 75), "/slow": (100, 250), ALL: (100, 250)},
}


@pytest.mark.parametrize("layout", sorted(EXPORTER_BUCKETS))
def test_exporter_conventions(loaded: LoadedTarget, layout: str) -> None:
    collector = make_collector(loaded, layout)
    result = collector.snapshot(at=loaded.at)
    by_key = {e.endpoint: e for e in result.endpoints}
    assert set(by_key) == {"GET /fast", "GET /slow", "GET /idle", "GET /boom", ALL}
    every = [ms for p, n in EXPORTER_LOAD.items() for ms in sleeps(_spec(p, EXPORTER_ROUTES), n)]
    for key, (lower, upper) in EXPORTER_BUCKETS[layout].items():
        endpoint = by_key[key if key == ALL else f"GET {key}"]
        values = every if key == ALL else sleeps(_spec(key, EXPORTER_ROUTES), EXPORTER_LOAD[key])
        expected = nearest_rank(values, 0.95)
        _check(endpoint.p95, expected)
        assert (endpoint.p95.lower_ms, endpoint.p95.upper_ms) == (lower, upper)
    assert by_key["GET /boom"].error_ratio == pytest.approx(1.0)
    assert by_key["GET /fast"].error_ratio == 0.0
    assert by_key["GET /idle"].p95.value_ms is None
    assert result.caches == ()  # these apps export no cache counters: not reported, not 0


def test_custom_queries_without_buckets_report_unknown_bounds(loaded: LoadedTarget) -> None:
    quantile = (
        "histogram_quantile({q}, sum by (le, route) "
        "(rate(http_request_duration_seconds_bucket{selector}[{window}])))"
    )
    collector = make_collector(
        loaded,
        "perfsight",
        convention="custom",
        route_label="route",
        queries={"quantile": quantile},
    )
    result = collector.snapshot(at=loaded.at)
    fast = result.endpoint("/fast")  # no method label configured: endpoints are bare paths
    assert fast is not None and fast.p95.value_ms is not None
    assert fast.p95.lower_ms is None and fast.p95.upper_ms is None  # how exact is unknown
    assert fast.rps is None and fast.error_ratio is None  # no such queries: no data
    boom = result.endpoint("/boom")
    assert boom is not None and boom.p95.value_ms is not None
    assert boom.p95.value_ms < BOOM_MS * 2


def test_custom_histogram_uses_the_default_templates(loaded: LoadedTarget) -> None:
    collector = make_collector(
        loaded,
        "perfsight",
        convention="custom",
        histogram="http_request_duration_seconds",
        route_label="route",
        method_label="method",
        status_label="status_code",
    )
    result = collector.snapshot(at=loaded.at)
    fast = result.endpoint("GET /fast")
    assert fast is not None
    _check(fast.p95, FAST_MS)
    assert result.endpoint("GET /boom").error_ratio == pytest.approx(1.0)  # type: ignore[union-attr]


def test_a_bad_query_is_a_response_error_naming_it(loaded: LoadedTarget) -> None:
    collector = make_collector(
        loaded, "perfsight", queries={"rps": "sum by ({by} (rate(nope[{window}]))"}
    )
    with pytest.raises(SourceResponseError, match=r"sum by \(method, route") as info:
        collector.snapshot(at=loaded.at)
    assert info.value.source is not None and info.value.source.startswith("prometheus")


def test_a_prometheus_that_is_down_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = PrometheusSettings(url=url)
    collector = PrometheusCollector(connect_prometheus(url, timeout=2), query_set(settings))
    with pytest.raises(SourceUnavailable) as info:
        collector.snapshot()
    assert url in str(info.value)
