"""The Latency page against a real Prometheus scraping a real app: live figures per endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from perfsight.services import PrometheusServer, wait_until
from tests.conftest import AppServer
from tests.dashboard.conftest import Dashboard, frame, joined

pytestmark = pytest.mark.slow
REQUESTS = 40


def _scraped(prometheus: PrometheusServer) -> float:
    query = 'sum(http_request_duration_seconds_count{route="/fast"})'
    data = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": query}, timeout=5).json()
    result = data["data"]["result"]
    return float(result[0]["value"][1]) if result else -1.0


@pytest.fixture
def scraped_app() -> Iterator[PrometheusServer]:
    app = AppServer("tests.support.latency_app", "--route", "/fast=5", "--zero-series")
    prometheus = PrometheusServer([app.url.removeprefix("http://")])
    try:
        prometheus.start()
        assert prometheus.wait_for_scrape(timeout=30)
        with httpx.Client(timeout=10) as client:
            for _ in range(REQUESTS):
                client.get(f"{app.url}/fast")
        assert wait_until(lambda: _scraped(prometheus) >= REQUESTS, timeout=30, interval=0.25)
        yield prometheus
    finally:
        prometheus.stop()
        app.stop()


def test_latency_live_from_prometheus(
    dashboard_factory: Callable[[str], Dashboard], scraped_app: PrometheusServer
) -> None:
    dash = dashboard_factory(f'[prometheus]\nurl = "{scraped_app.url}"\n')
    at = dash.open("latency")
    assert not at.exception
    assert not at.error
    assert f"Prometheus (live), {scraped_app.url}" in joined(at)
    table = frame(at, "endpoint", "p95 (ms)", "p95 bucket (ms)")
    row = table[table["endpoint"] == "GET /fast"].iloc[0]
    lower, upper = (float(x) for x in row["p95 bucket (ms)"].split("–"))
    assert lower <= row["p95 (ms)"] <= upper
    assert lower < 10  # every request took about 5 ms
    assert row["req/s"] > 0
    assert len(at.get("plotly_chart")) == 5
