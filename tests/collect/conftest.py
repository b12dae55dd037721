"""One real Prometheus for the whole session, scraping latency apps (perfsight's layout and
three other exporters') that have served a known load: every test reads the same, finished
data at one evaluation time, so the expected values come from the sleeps chosen here."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest

from perfsight.services import PrometheusServer, wait_until
from tests.conftest import AppServer

# Sleeps chosen inside histogram buckets with room for the server's own overhead (the
# measured duration is the sleep plus a little), never on a bucket bound.
FAST_MS, SLOW_MS, HIGH_MS, BOOM_MS = 65.0, 110.0, 330.0, 15.0
PERFSIGHT_ROUTES = (
    f"/fast={FAST_MS}",
    f"/slow={SLOW_MS}",
    "/mixed=" + ",".join([str(FAST_MS)] * 8 + [str(HIGH_MS)] * 2),
    "/idle=10",
    f"/boom={BOOM_MS}:500",
)
PERFSIGHT_CACHES = ("/fast=items:hit,hit,hit,miss", "/slow=sessions:hit,miss")
PERFSIGHT_LOAD = {"/fast": 40, "/slow": 20, "/mixed": 40, "/boom": 20}
EXPORTER_ROUTES = (f"/fast={FAST_MS}", f"/slow={SLOW_MS}", "/idle=10", f"/boom={BOOM_MS}:500")
EXPORTER_LOAD = {"/fast": 20, "/slow": 10, "/boom": 10}
EXPORTERS = ("express-prom-bundle", "fastapi-instrumentator", "starlette-exporter")


def sleeps(route_spec: str, requests: int) -> list[float]:
    """The latencies a route serves to its first ``requests`` requests (its cycle)."""
    values = [float(v) for v in route_spec.partition("=")[2].partition(":")[0].split(",")]
    return [values[i % len(values)] for i in range(requests)]


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class LoadedTarget:
    """Prometheus, the apps it scrapes, and the evaluation time after the load."""

    prometheus: PrometheusServer
    apps: dict[str, AppServer]
    at: float = 0.0
    load_started: float = 0.0
    served: dict[str, dict[str, int]] = field(default_factory=dict)

    def instance(self, layout: str) -> str:
        return f'instance="127.0.0.1:{self.apps[layout].port}"'


def _app(layout: str) -> AppServer:
    if layout == "perfsight":
        args = [p for r in PERFSIGHT_ROUTES for p in ("--route", r)]
        args += [p for c in PERFSIGHT_CACHES for p in ("--cache", c)]
        return AppServer("tests.support.latency_app", *args, "--zero-series")
    args = [p for r in EXPORTER_ROUTES for p in ("--route", r)]
    return AppServer("tests.support.latency_app", *args, "--zero-series", "--exporter", layout)


def _load(app: AppServer, plan: dict[str, int]) -> dict[str, int]:
    """Send the planned requests (8 at a time); what each route served. (Not read back from
    the app's /stats: that request would be measured too.)"""
    urls = [app.url + path for path, count in plan.items() for _ in range(count)]
    with httpx.Client(timeout=10) as client, ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: client.get(url).status_code, urls))
    assert len(statuses) == len(urls)
    return dict(plan)


def _scraped_count(prom: PrometheusServer, instance: str) -> float:
    # Every layout counts requests in a *_count or *_total series with the instance label.
    query = (
        f"sum(http_request_duration_seconds_count{{{instance}}}) or "
        f"sum(starlette_requests_total{{{instance}}})"
    )
    data = httpx.get(f"{prom.url}/api/v1/query", params={"query": query}, timeout=5).json()
    result = data["data"]["result"]
    return float(result[0]["value"][1]) if result else -1.0


@pytest.fixture(scope="session")
def loaded() -> Iterator[LoadedTarget]:
    layouts = ("perfsight", *EXPORTERS)
    with ThreadPoolExecutor(max_workers=len(layouts)) as pool:
        apps = dict(zip(layouts, pool.map(_app, layouts), strict=True))
    prometheus = PrometheusServer([a.url.removeprefix("http://") for a in apps.values()])
    try:
        prometheus.start()
        assert prometheus.wait_for_scrape(timeout=30), "Prometheus never scraped the apps"
        time.sleep(1.2)  # one more scrape: the zero-valued series are Prometheus's baseline
        target = LoadedTarget(prometheus, apps, load_started=time.time())
        with ThreadPoolExecutor(max_workers=len(layouts)) as pool:
            plans = [PERFSIGHT_LOAD if n == "perfsight" else EXPORTER_LOAD for n in layouts]
            target.served = dict(zip(layouts, pool.map(_load, apps.values(), plans), strict=True))
        for name in layouts:
            total = sum(target.served[name].values())
            assert wait_until(
                lambda n=name, t=total: _scraped_count(prometheus, target.instance(n)) >= t,
                timeout=30,
                interval=0.25,
            ), f"Prometheus never saw the {name} app's {total} requests"
        time.sleep(1.2)  # let every series' last scrape land
        target.at = time.time()
        yield target
    finally:
        prometheus.stop()
        for app in apps.values():
            app.stop()
