"""Load runs: the list, a result with its verdict and attribution, two runs compared, live
progress read from the store, and runs started from the form (one per click, only against
allowed hosts)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from perfsight.services import wait_until
from perfsight.store import launches, runs
from perfsight.store.runs import SeriesRow
from tests.dashboard import seed
from tests.dashboard.conftest import Dashboard, frame, joined


def test_no_runs_yet(dashboard: Dashboard) -> None:
    at = dashboard.open("load_runs")
    assert not at.exception
    assert "No load run stored yet" in joined(at)
    assert "No run started from the dashboard yet." in joined(at)
    assert at.text_input(key="form-host").value == "http://127.0.0.1:8000"


def test_results_and_comparison(dashboard: Dashboard) -> None:
    old, new = seed.seed_runs(dashboard.store, dashboard.now)
    at = dashboard.open("load_runs")
    assert not at.exception
    listed = frame(at, "run", "status", "p95 (ms)")
    assert list(listed["run"]) == [new, old]
    assert list(listed["p95 (ms)"]) == [seed.RUN_P95, seed.OLD_RUN_P95]
    assert list(listed["req/s"]) == [seed.RUN_RPS, 50.0]
    # the result of the newest run: its verdict, explained by the N+1 finding
    verdict = frame(at, "threshold", "status", "explained by")
    assert list(verdict[verdict["status"] == "fail"]["threshold"]) == [
        "db_queries_per_request avg<=5",
        "http_req_duration p(95)<500",
    ]
    failed = verdict[verdict["threshold"] == "http_req_duration p(95)<500"].iloc[0]
    assert failed["observed"] == seed.RUN_P95
    assert "N+1 in GET /api/itineraries/{id}" in failed["explained by"]
    endpoints = frame(at, "endpoint", "p99 (ms)")
    assert list(endpoints["endpoint"]) == [seed.ENDPOINT, "Total"]
    # A (older) against B (newer)
    compared = frame(at, "endpoint", "p95 A (ms)", "p95 B (ms)")
    total = compared[compared["endpoint"] == "Total"].iloc[0]
    assert (total["p95 A (ms)"], total["p95 B (ms)"]) == (seed.OLD_RUN_P95, seed.RUN_P95)
    assert round(total["p95 change"], 4) == round((1234 - 640) / 640, 4)
    outcomes = frame(at, "threshold", "A", "B")
    row = outcomes[outcomes["threshold"] == "http_req_duration p(95)<1000"].iloc[0]
    assert (row["A"], row["B"]) == ("pass", "—")


def test_a_running_run_shows_live_progress_to_any_viewer(dashboard: Dashboard) -> None:
    now = time.time()
    run_id = runs.create_run(
        dashboard.store,
        target="http://127.0.0.1:9",
        settings={"planned_duration_s": 60},
        pid=os.getpid(),  # alive: not an abandoned run
        now=now - 20,
    )
    runs.append_series(
        dashboard.store,
        run_id,
        [SeriesRow(now - 20 + i, "Total", 40 + i, i % 2, 300.0 + i, 8) for i in range(10)],
    )
    for viewer in (dashboard.open("load_runs"), dashboard.open("load_runs")):
        assert not viewer.exception
        metrics = {m.label: m.value for m in viewer.metric}
        # the last three complete seconds: 46, 47, 48 requests (the last row may be partial)
        assert metrics["req/s (now)"] == "47.0"
        assert metrics["p95 (latest second)"] == "309 ms"
        assert metrics["requests"] == f"{sum(40 + i for i in range(10)):,}"
        assert metrics["users"] == "8"
        assert f"Run {run_id[:8]}" in joined(viewer)
        # one run at a time: the form cannot start another
        assert viewer.button(key="FormSubmitter:start-run-Start load run").disabled


def _scenario(base_url: str, extra: str = "") -> str:
    return (
        f'[target]\nbase_url = "{base_url}"\n'
        '[load]\nusers = 2\nspawn_rate = 20\nrun_time = "2s"\nprofile = "none"\n'
        '[[load.scenario]]\npath = "/fast"\n' + extra
    )


def test_start_from_the_form_double_click_starts_one_run(
    dashboard_factory: Callable[[str], Dashboard], latency_server_factory
) -> None:
    server = latency_server_factory("/fast=5,10")
    dash = dashboard_factory(_scenario(server.url))
    at = dash.open("load_runs")
    at.text_area(key="form-thresholds").input("http_req_duration=p(95)<1000")
    submit = at.button(key="FormSubmitter:start-run-Start load run")
    submit.click().run()
    assert not at.exception
    assert "Started run" in joined(at)
    at.button(key="FormSubmitter:start-run-Start load run").click().run()  # the second click
    assert "Started run" not in joined(at)
    assert "one run at a time" in joined(at) or "Already started" in joined(at)

    def finished() -> bool:
        listed = runs.list_runs(dash.store)
        return bool(listed) and listed[0].status != "running"

    assert wait_until(finished, timeout=60)
    assert len(runs.list_runs(dash.store)) == 1
    launch = launches.latest(dash.store)
    assert launch is not None and launch.pid
    # a new viewer (a refresh) sees the verdict of the run the form started
    viewer = dash.open("load_runs")
    assert not viewer.exception
    verdict = frame(viewer, "threshold", "status", "explained by")
    row = verdict[verdict["threshold"] == "http_req_duration p(95)<1000"].iloc[0]
    assert row["status"] == "pass"
    assert 5 <= row["observed"] <= 1000
    assert f"Run {launch.run_id[:8]}: ✓ passed" in joined(viewer)


def test_a_host_outside_allowed_hosts_is_refused_before_anything_starts(
    dashboard_factory: Callable[[str], Dashboard],
) -> None:
    dash = dashboard_factory(_scenario("http://127.0.0.1:9"))
    at = dash.open("load_runs")
    at.text_input(key="form-host").input("http://api.example.com")  # in the form: same run
    at.button(key="FormSubmitter:start-run-Start load run").click().run()
    warning = " ".join(w.value for w in at.warning)
    assert "Not started" in warning and "allowed_hosts" in warning
    assert launches.latest(dash.store) is None
    assert runs.list_runs(dash.store) == []
