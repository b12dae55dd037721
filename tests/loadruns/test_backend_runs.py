"""Load runs that watch the backend in the same window, against real servers on loopback: a
Prometheus scraping the test app, a Redis server of the test's own, the test app's process,
the HTTP probe — and what the run makes of them: cache ratios with their source, server-side
p95 inside its bucket, CPU of generator and target, attributed failures, the HTML report."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import redis

import loadruns
from loadruns import LoadOptions, Progress
from loadruns.backend import backend_observer
from loadruns.html_report import write_html
from loadruns.jsonout import write_json
from perfsight.schemas import load as load_schema
from perfsight.services import PrometheusServer, RedisServer
from perfsight.store import Store, runs
from perfsight.store.findings import list_findings
from tests.conftest import AppServer
from tests.loadruns.conftest import ConfigWriter, scenario_toml

pytestmark = pytest.mark.slow


@pytest.fixture
def watched_app() -> Iterator[tuple[AppServer, PrometheusServer]]:
    """The latency app (its cache ``items`` answers hit, miss, hit, miss…) scraped every second."""
    app = AppServer(
        "tests.support.latency_app",
        "--route", "/a=20",
        "--route", "/b=60",
        "--cache", "/a=items:hit,miss",
        "--zero-series",
    )  # fmt: skip
    prometheus = PrometheusServer([app.url.removeprefix("http://")])
    try:
        prometheus.start()
        assert prometheus.wait_for_scrape(timeout=30)
        yield app, prometheus
    finally:
        prometheus.stop()
        app.stop()


def test_the_backend_is_watched_in_the_run_window(
    watched_app: tuple[AppServer, PrometheusServer],
    private_redis: RedisServer,
    write_config: ConfigWriter,
    tmp_path: Path,
) -> None:
    app, prometheus = watched_app
    settings = write_config(
        scenario_toml(app.url, ("/a", 2), ("/b", 1), users=3, run_time="4s")
        + f'[prometheus]\nurl = "{prometheus.url}"\n[redis]\nurl = "{private_redis.url}"\n'
    )
    client = redis.Redis.from_url(private_redis.url, socket_timeout=5)
    prefix = f"perfsight-test:{uuid.uuid4().hex[:8]}:"
    client.set(prefix + "hot", "1")

    def cache_traffic(_progress: Progress) -> None:
        for _ in range(3):  # three hits and a miss every second: 0.75 exactly
            client.get(prefix + "hot")
        client.get(prefix + "cold")

    options = LoadOptions(
        profile="none",
        thresholds=(
            "cache_hit_ratio=value>0.9",
            "cache_hit_ratio{instance:main}=value>0.7",
            "db_queries_per_request=avg<=5",
            "unpaginated_endpoints=count==0",
        ),
    )
    plan = loadruns.make_plan(settings, options)
    with Store(settings.store.url) as store:
        observer = backend_observer(settings, plan, store)
        result = loadruns.execute(plan, store, observers=[observer], on_progress=cache_traffic)
        stored = runs.outcomes(store, result.run_id)
    client.delete(prefix + "hot")
    client.close()

    app_ratio, redis_ratio, queries, unpaginated = result.outcomes
    # The app's own counters answer first: the truer figure, and where it comes from.
    assert app_ratio.status == "fail"
    assert app_ratio.observed == pytest.approx(0.5, abs=0.06), app_ratio
    assert app_ratio.source is not None and app_ratio.source.startswith("app_metrics")
    assert redis_ratio.status == "pass" and redis_ratio.observed == 0.75
    assert redis_ratio.source is not None and redis_ratio.source.startswith("redis_info (main")
    # Sources that are not configured make their thresholds not measured, saying why.
    assert queries.status == unpaginated.status == "not_measured"
    assert "[mongo] profile_files" in (queries.detail or "")
    assert "[target] list_endpoints" in (unpaginated.detail or "")
    assert {o["name"]: o["status"] for o in stored}["cache_hit_ratio value>0.9"] == "fail"

    backend = result.sections["backend"]
    assert backend["sources"]["prometheus"] == backend["sources"]["redis"] == "measured"
    server = {e["endpoint"]: e for e in backend["prometheus"]["endpoints"]}
    # The server slept 60 ms in every request to /b, and the client waited that and more: the
    # server's p95 bucket reaches 60 ms and starts below the client's p95.
    p95 = server["GET /b"]["p95"]
    client_p95 = next(e.p95_ms for e in result.endpoints if e.endpoint == "GET /b")
    assert p95["upper_ms"] >= 60 and p95["lower_ms"] <= client_p95, (p95, client_p95)
    assert server["GET /b"]["error_ratio"] == 0
    (main,) = backend["redis"]["instances"]
    assert (main["hits"], main["misses"]) == (3 * main["misses"], main["misses"])
    processes = backend["processes"]
    assert processes["target"]["measured"] and app.process.pid in processes["target"]["pids"]
    assert processes["generator"]["measured"] and processes["generator"]["cpu_max_pct"] > 0
    assert processes["generator"]["pids"][0] == result.generator["pid"]
    assert len(processes["series"]) >= 3

    write_json(result, str(tmp_path / "run.json"))
    document = json.loads((tmp_path / "run.json").read_text())
    jsonschema.validate(document, load_schema("loadcheck"))
    write_html(result, str(tmp_path / "run.html"))
    html = (tmp_path / "run.html").read_text()
    assert html.count("window.PlotlyConfig") == 1  # plotly.js embedded once: self-contained
    assert html.count("Plotly.newPlot") >= 6
    for title in (
        "Load over time",
        "Per endpoint",
        "Server side (Prometheus)",
        "Redis",
        "CPU and memory",
        "cache_hit_ratio value&gt;0.9",
    ):
        assert title in html


def test_probe_findings_are_attributed_to_their_endpoint_only(
    write_config: ConfigWriter, tmp_path: Path
) -> None:
    from perfsight.cli.main import main

    app = AppServer("tests.support.probe_app", ready_path="/api/tags")
    try:
        write_config(
            f'[target]\nbase_url = "{app.url}"\n'
            'list_endpoints = ["/api/bookings", "/api/bookings-unpaged"]\n'
            '[load]\nusers = 2\nspawn_rate = 50\nrun_time = "2s"\n'
            '[[load.scenario]]\npath = "/api/bookings"\n'
            '[[load.scenario]]\npath = "/api/bookings-unpaged"\n'
        )
        code = main(
            [
                "loadcheck", "--profile", "none",
                "--threshold", "unpaginated_endpoints=count==0",
                "--threshold", "http_req_duration{endpoint:GET /api/bookings}=avg<0.01",
                "--threshold", "http_req_duration=avg<0.01",
                "--json", "run.json", "--html", "run.html", "--junit", "run.xml",
            ]
        )  # fmt: skip
    finally:
        app.stop()
    assert code == 1
    document = json.loads((tmp_path / "run.json").read_text())
    jsonschema.validate(document, load_schema("loadcheck"))
    findings = {f["id"]: f for f in document["findings"]}
    (unpaged,) = [f for f in findings.values() if f["kind"] == "unpaginated_endpoint"]
    assert unpaged["endpoint"] == "GET /api/bookings-unpaged"
    counted, paged, overall = document["thresholds"]
    assert (counted["status"], counted["observed"]) == ("fail", 1.0)
    (blame,) = counted["extra"]["attribution"]
    assert blame["endpoint"] == "GET /api/bookings-unpaged" and blame["findings"] == [unpaged["id"]]
    # The paged list is slow here too, but the unpaginated finding is another endpoint's.
    (blame,) = paged["extra"]["attribution"]
    assert blame["endpoint"] == "GET /api/bookings" and blame["findings"] == []
    blamed = {b["endpoint"]: b["findings"] for b in overall["extra"]["attribution"]}
    assert unpaged["id"] in blamed["GET /api/bookings-unpaged"]
    assert not any(
        findings[f]["endpoint"] != "GET /api/bookings" for f in blamed["GET /api/bookings"]
    )
    html = (tmp_path / "run.html").read_text()
    assert "↳ count 1 &gt; 0 on GET /api/bookings-unpaged: unpaginated list (250 items" in html
    junit = (tmp_path / "run.xml").read_text()
    assert "count 1 &gt; 0 on GET /api/bookings-unpaged: unpaginated list (250 items" in junit
    with Store(f"sqlite:///{tmp_path / 'perfsight.db'}") as store:
        stored = list_findings(store, kinds=["unpaginated_endpoint"])
    assert [s.origin for s in stored] == [f"run:{document['run_id']}"]


def test_a_baseline_adds_regression_rules_and_shows_the_differences(
    latency_server_factory: Any,
    write_config: ConfigWriter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from perfsight.cli.main import main

    fast = latency_server_factory("/a=20")
    write_config(scenario_toml(fast.url, ("/a", 1), users=2, run_time="2s"))
    common = ["loadcheck", "--profile", "none", "--no-backend", "--tag", "env=ci"]
    assert main([*common, "--baseline", "last-pass", "--json", "first.json"]) == 0
    first = json.loads((tmp_path / "first.json").read_text())
    assert first["baseline"] is None
    assert any("no passed run with the same tags (env=ci)" in w for w in first["warnings"])

    slow = latency_server_factory("/a=45")  # the same endpoint, now 2× slower
    code = main([*common, "-H", slow.url, "--baseline", "last-pass", "--json", "second.json"])
    assert code == 1
    second = json.loads((tmp_path / "second.json").read_text())
    jsonschema.validate(second, load_schema("loadcheck"))
    assert second["baseline"]["run_id"] == first["run_id"]
    (rule,) = [t for t in second["thresholds"] if t["metric"] == "http_req_duration"]
    assert rule["status"] == "fail" and rule["scope"] == {"endpoint": "GET /a"}
    assert rule["extra"]["baseline"]["before"] == first["endpoints"][0]["p95_ms"]
    (row,) = [d for d in second["baseline"]["differences"] if d["endpoint"] == "GET /a"]
    assert row["p95_change"] > 0.5
    assert f"compared with run {first['run_id']}" in capsys.readouterr().out


def test_a_master_waits_for_a_worker_of_another_machine(
    latency_server_factory: Any, write_config: ConfigWriter, tmp_path: Path, reaper: Any
) -> None:
    """Locust's master/worker protocol as a remote machine uses it, on loopback: the worker is
    ``perfsight loadcheck --worker --master-host`` started with the same configuration, its
    exact figures reach the master's run."""
    import subprocess
    import sys

    import httpx

    from perfsight.services import free_port

    server = latency_server_factory("/a=15")
    port = free_port()
    settings = write_config(scenario_toml(server.url, ("/a", 1), users=3, run_time="3s"))
    worker = subprocess.Popen(
        [sys.executable, "-m", "perfsight", "loadcheck",
         "--config", str(tmp_path / "perfsight.toml"),
         "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    reaper.add(worker.pid)
    options = LoadOptions(profile="none", remote_workers=1, master_port=port)
    with Store(settings.store.url) as store:
        result = loadruns.run(settings, options, store)
    assert worker.wait(timeout=30) == 0  # the master ended the test: the worker quit
    assert result.generator["runner"] == "MasterRunner"
    assert result.plan["remote_workers"] == 1
    served = httpx.get(server.url + "/stats", timeout=5).json()["/a"]
    assert served - 3 <= result.total.requests <= served > 0  # every request, through the worker
    assert result.total.min_ms is not None and result.total.min_ms >= 15
