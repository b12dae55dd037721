"""`perfsight report` over real sources: a Prometheus scraping the sample API (before mode),
the machine's Redis sampled by `perfsight collect`, the sample API's endpoints probed."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
import redis

from perfsight.cli.main import main
from perfsight.config import load_config
from perfsight.demo.seed import TENANTS, object_id, tenant_of
from perfsight.reports.run import run_report
from perfsight.services import PrometheusServer
from perfsight.store import Store, reports
from tests.support.schemas import validate

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Env:
    config: Path
    prometheus: PrometheusServer
    api: Any
    folder: Path


def _traffic(api: Any) -> None:
    itineraries = [i for i in range(10) if tenant_of(i) == TENANTS[0]][:3]
    with httpx.Client(base_url=api.url, timeout=30) as client:
        for _ in range(3):
            client.get("/api/bookings").raise_for_status()
            for number in itineraries:
                client.get(f"/api/itineraries/{object_id('itineraries', number)}")
            client.get("/api/leads", params={"status": "new"})


def _cache_lookups(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=5)
    key = f"perfsight-test:{uuid.uuid4().hex[:8]}:price"
    try:
        client.set(key, "1", ex=60)
        for _ in range(9):
            client.get(key)
        client.get(key + ":missing")
    finally:
        client.delete(key)
        client.close()


@pytest.fixture(scope="module")
def env(
    sample_api_before: Any, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    folder = tmp_path_factory.mktemp("report")
    api = sample_api_before
    prometheus = PrometheusServer([urlsplit(api.url).netloc]).start()
    config = folder / "perfsight.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{folder / "store.db"}"\n'
        f'[prometheus]\nurl = "{prometheus.url}"\n'
        f'[redis]\nurl = "{redis_url}"\n'
        f'[mongo]\nprofile_files = ["{api.profile_file}"]\n'
        # The simulated queries take a millisecond or two each: count every N+1 pattern.
        '[analysis]\nn_plus_one_min_total = "0ms"\n'
        f'[target]\nbase_url = "{api.url}"\n'
        'list_endpoints = ["/api/bookings", "/api/itineraries"]\n'
        'static_assets = ["/static/app.js"]\n'
        f'[schedule]\nreport_dir = "{folder / "reports"}"\n'
    )
    try:
        assert prometheus.wait_for_scrape(timeout=30)
        assert main(["--config", str(config), "collect", "--once", "--quiet"]) in (0, 2)
        _traffic(api)
        _cache_lookups(redis_url)  # before mode caches nothing itself: give Redis lookups to count
        time.sleep(3)  # at least two scrapes after the traffic
        assert main(["--config", str(config), "collect", "--once", "--quiet"]) in (0, 2)
        yield Env(config, prometheus, api, folder)
    finally:
        prometheus.stop()


def test_report_over_real_sources(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(env.config), "report", "--window", "5m", "--tag", "env=test"])
    printed = capsys.readouterr().out
    assert code == 1  # the sample API in before mode fails the plan's targets
    settings = load_config(env.config)
    with Store(settings.store.url) as store:
        [stored] = reports.list_reports(store)
    document = orjson.loads(Path(stored.paths["json"]).read_bytes())
    validate(document, "report")
    sections = {s["name"]: s for s in document["sections"]}
    for name in ("latency", "cache", "queries", "probes"):
        assert sections[name]["available"], sections[name]["reason"]
    latency_rows = {row[0]: row for row in sections["latency"]["data"]["tables"][0]["rows"]}
    assert "GET /api/bookings" in latency_rows
    kinds = {(f["kind"], f["endpoint"]) for f in document["findings"]}
    assert ("unpaginated_endpoint", "GET /api/bookings") in kinds
    assert ("uncompressed_response", "GET /api/bookings") in kinds
    assert ("missing_cache_control", "GET /static/app.js") in kinds
    assert ("n_plus_one", "GET /api/itineraries/{id}") in kinds
    assert any(kind == "missing_index" for kind, _ in kinds)
    outcomes = {o["name"]: o for o in document["outcomes"]}
    p95 = outcomes["http_req_duration p(95)<500"]
    assert p95["source"] == "prometheus" and p95["observed"] is not None
    assert outcomes["unpaginated_endpoints count==0"]["status"] == "fail"
    assert outcomes["n_plus_one count==0"]["status"] == "fail"
    per_request = outcomes["db_queries_per_request avg<=5"]
    assert per_request["source"] == "profiler" and per_request["observed"] > 5  # the N+1
    cache = outcomes["cache_hit_ratio value>0.70"]
    assert cache["status"] in ("pass", "fail") and cache["source"] == "redis_info"
    assert stored.paths["html"] in printed
    markdown = Path(stored.paths["md"]).read_text()
    assert markdown.index("## Fix first") < markdown.index("## Thresholds")


def test_html_opens_in_chromium_without_console_errors(env: Env, chromium: Any) -> None:
    settings = load_config(env.config)
    with Store(settings.store.url) as store:
        result = run_report(settings, store, window="5m", tags={"env": "browser"})
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = chromium.new_page()
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(result.paths["html"]).as_uri(), wait_until="load")
        page.wait_for_selector(".js-plotly-plot", timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert page.locator(".js-plotly-plot").count() >= 1
        assert "Fix first" in page.content()
    finally:
        page.close()
    assert errors == []


def test_prometheus_down_gives_an_unavailable_section(env: Env, tmp_path: Path) -> None:
    down = PrometheusServer([]).start()
    url = down.url
    down.stop()  # a Prometheus that was there and is gone
    settings = load_config(env.config).model_copy(deep=True)
    settings.prometheus.url = url
    with Store(settings.store.url) as store:
        result = run_report(settings, store, window="5m", out_dir=str(tmp_path), tags={"env": "x"})
    latency = result.report.section("latency")
    assert latency is not None and not latency.available
    assert "prometheus" in (latency.reason or "").lower()
    outcome = next(o for o in result.report.outcomes if o["name"] == "http_req_duration p(95)<500")
    assert outcome["status"] == "not_measured" and "unavailable" in outcome["detail"]
    assert result.report.section("probes").available  # type: ignore[union-attr]
    assert Path(result.paths["html"]).exists() and Path(result.paths["md"]).exists()
    assert "Unavailable:" in Path(result.paths["md"]).read_text()


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_webhook_delivery_and_failure(env: Env, tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = load_config(env.config).model_copy(deep=True)
    token = "s3cretTOKENvalue0123456789"
    try:
        settings.schedule.webhook_url = f"http://127.0.0.1:{server.server_port}/hook?token={token}"
        with Store(settings.store.url) as store:
            result = run_report(settings, store, window="5m", out_dir=str(tmp_path))
        assert result.webhook_error is None
        [body] = _Receiver.received
        summary = orjson.loads(body)
        assert summary["report"] == result.report.id and summary["status"] == result.report.status
    finally:
        server.shutdown()
        server.server_close()
    settings.schedule.webhook_url = f"http://127.0.0.1:{server.server_port}/hook/{token}"
    with Store(settings.store.url) as store:
        failed = run_report(settings, store, window="5m", out_dir=str(tmp_path))
    assert failed.webhook_error is not None and token not in failed.webhook_error
    assert Path(failed.paths["json"]).exists()  # the report is written whatever the webhook did
