"""Real short Locust runs on loopback against the latency test server, whose latencies the test
chooses: the figures must match them to the millisecond.

The client measures the server's sleep plus its own overhead (connection, parsing, scheduling),
so a reported time may exceed the chosen latency by ``OVERHEAD_MS`` (generous: the machine has 2
shared cores) and may never be below it. Locust's own figures would be off by far more for the
latencies chosen here (it reports 1046 ms as 1000 and 133 ms as 130).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from junitparser import JUnitXml

import loadruns
from loadruns import LoadOptions, Observation, ObserverReport, Progress
from perfsight.schemas import load as load_schema
from perfsight.store import Store, runs
from perfsight.thresholds import Threshold
from tests.loadruns.conftest import ConfigWriter, scenario_toml

pytestmark = pytest.mark.slow

OVERHEAD_MS = 8.0
CYCLE = [104, 117, 133, 148, 162]  # med, p90 and p95 fall mid-plateau: robust to counts
SLOW = 1046


def nearest_rank(cycle: Sequence[float], count: int, pct: float) -> float:
    """The pct-th percentile of ``count`` requests served in the server's cycle order."""
    values = sorted(cycle[i % len(cycle)] for i in range(count))
    return values[max(1, math.ceil(pct / 100 * count)) - 1]


def assert_close(reported: float | None, expected: float) -> None:
    assert reported is not None
    assert expected <= reported <= expected + OVERHEAD_MS, (reported, expected)


class CacheProbe:
    """A run observer as the backend samplers implement it, measuring a constant ratio."""

    name = "cache"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self, run_id: str, started_at: float) -> None:
        self.calls.append("start")

    def tick(self, progress: Progress) -> None:
        self.calls.append("tick")

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        self.calls.append("finish")

        class Ratio:
            def observe(self, threshold: Threshold) -> Observation | None:
                return Observation(0.8, "cache") if threshold.metric == "cache_hit_ratio" else None

        return ObserverReport(metrics=Ratio(), section={"ticks": self.calls.count("tick")})


def test_percentiles_match_the_chosen_latencies_to_the_millisecond(
    latency_server_factory: Any, write_config: ConfigWriter
) -> None:
    server = latency_server_factory(
        "/a=" + ",".join(map(str, CYCLE)), f"/slow={SLOW}", "/boom=3:500"
    )
    settings = write_config(
        scenario_toml(server.url, ("/a", 6), ("/slow", 1), ("/boom", 1), users=4, run_time="5s")
    )
    options = LoadOptions(
        profile="none",
        thresholds=(
            "http_req_duration{endpoint:/a}=p(90)<200",
            "http_req_failed{endpoint:GET /boom}=rate<0.5",
            "cache_hit_ratio=value>0.5",
        ),
    )
    probe = CacheProbe()
    with Store(settings.store.url) as store:
        result = loadruns.run(settings, options, store, observers=[probe])
        stored = runs.get_run(store, result.run_id)
        stats = {row["endpoint"]: row for row in runs.endpoint_stats(store, result.run_id)}
        series = runs.series(store, result.run_id)
        outcomes = runs.outcomes(store, result.run_id)

    by_key = {s.endpoint: s for s in result.endpoints}
    a, slow, boom = by_key["GET /a"], by_key["GET /slow"], by_key["GET /boom"]
    assert a.requests >= 20 and slow.requests >= 3
    assert_close(a.med_ms, nearest_rank(CYCLE, a.requests, 50))
    assert_close(a.p90_ms, nearest_rank(CYCLE, a.requests, 90))
    assert_close(a.p95_ms, nearest_rank(CYCLE, a.requests, 95))
    assert_close(a.min_ms, min(CYCLE))
    assert a.max_ms is not None and a.max_ms >= max(CYCLE)
    assert a.avg_ms is not None and sum(CYCLE) / 5 - 3 <= a.avg_ms <= sum(CYCLE) / 5 + OVERHEAD_MS
    assert_close(slow.med_ms, SLOW)
    assert boom.failures == boom.requests > 0 and a.failures == slow.failures == 0

    # Every request the client counted was served; at most one in flight per user is lost.
    served = httpx.get(server.url + "/stats", timeout=5).json()
    for stats_row, path in ((a, "/a"), (slow, "/slow"), (boom, "/boom")):
        assert served[path] - 4 <= stats_row.requests <= served[path]
    total = result.total
    assert total.requests == a.requests + slow.requests + boom.requests
    assert total.rps is not None and total.rps > 0

    # Verdict: one pass, one fail, and the backend metric measured by the observer.
    assert [o.status for o in result.outcomes] == ["pass", "fail", "pass"]
    assert (result.status, result.exit_code, result.verdict) == ("failed", 1, "fail")
    assert probe.calls[0] == "start" and probe.calls[-1] == "finish" and "tick" in probe.calls
    assert result.sections["cache"]["ticks"] >= 1

    # Recorded: status, exact figures, a row per second, outcomes.
    assert stored is not None and stored.status == "failed" and stored.ended_at is not None
    assert stats["GET /a"]["p90_ms"] == a.p90_ms and stats["Total"]["requests"] == total.requests
    assert sum(row.requests for row in series) == total.requests
    assert max(row.users or 0 for row in series) == 4
    assert len(series) >= 4
    assert {o["status"] for o in outcomes} == {"pass", "fail"}


def test_a_user_locustfile_runs_unchanged_with_cli_outputs(
    latency_server_factory: Any, tmp_path: Path, write_config: ConfigWriter
) -> None:
    from perfsight.cli.main import main

    server = latency_server_factory("/fast=5,10,15", "/other=20")
    locustfile = tmp_path / "mine.py"
    locustfile.write_text(
        "from locust import HttpUser, constant, task\n\n\n"
        "class Visitor(HttpUser):\n"
        "    wait_time = constant(0.05)\n\n"
        "    @task(3)\n"
        "    def fast(self):\n"
        '        self.client.get("/fast")\n\n'
        "    @task\n"
        "    def other(self):\n"
        '        self.client.get("/other", name="/other")\n'
    )
    before = locustfile.read_bytes()
    write_config("")
    code = main(
        [
            "loadcheck",
            "-f",
            str(locustfile),
            "-H",
            server.url,
            "-u",
            "2",
            "-t",
            "3s",
            "--profile",
            "none",
            "--threshold",
            "http_req_duration{endpoint:/fast}=p(95)<100",
            "--threshold",
            "http_reqs=count>5",
            "--tag",
            "environment=test",
            "--json",
            "out.json",
            "--junit",
            "out.xml",
        ]
    )
    assert code == 0
    assert locustfile.read_bytes() == before
    document = json.loads((tmp_path / "out.json").read_text())
    jsonschema.validate(document, load_schema("loadcheck"))
    assert {e["endpoint"] for e in document["endpoints"]} == {"GET /fast", "GET /other"}
    assert document["plan"]["locustfile"] == str(locustfile)
    assert document["tags"]["environment"] == "test"
    assert [t["status"] for t in document["thresholds"]] == ["pass", "pass"]
    assert document["series"] and all(row["users"] is not None for row in document["series"])
    xml = JUnitXml.fromfile(str(tmp_path / "out.xml"))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 2 and all(case.is_passed for case in cases)


def test_stages_and_a_scenario_with_placeholders_and_bodies(
    latency_server_factory: Any, write_config: ConfigWriter
) -> None:
    server = latency_server_factory("/a=5", "/b=5")
    settings = write_config(
        f'[target]\nbase_url = "{server.url}"\nheaders = {{ "X-Test" = "1" }}\n'
        "[[load.scenario]]\n"
        'path = "/{name}"\n'
        'values = { name = ["a", "b"] }\n'
        "weight = 3\n"
        "[[load.scenario]]\n"
        'method = "POST"\n'
        'path = "/b"\n'
        "json = { nights = 3 }\n"
        '[[load.stages]]\nduration = "1s"\ntarget = 3\n'
        '[[load.stages]]\nduration = "2s"\ntarget = 3\n'
    )
    with Store(settings.store.url) as store:
        result = loadruns.run(settings, LoadOptions(profile="none"), store)
    assert result.plan["stages"] == [
        {"duration_s": 1.0, "target": 3},
        {"duration_s": 2.0, "target": 3},
    ]
    users = [row.users for row in result.series if row.endpoint == "Total"]
    assert max(u or 0 for u in users) == 3
    assert {s.endpoint for s in result.endpoints} == {"GET /{name}", "POST /b"}
    assert all(s.failures == 0 for s in result.endpoints)  # the POST with its body succeeded
    served = httpx.get(server.url + "/stats", timeout=5).json()
    assert served["/a"] > 0 and served["/b"] > 0  # both values of {name} were requested
    assert result.status == "passed" and result.verdict == "pass" and not result.outcomes


def test_abort_on_fail_stops_the_run_early(
    latency_server_factory: Any, write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    from perfsight.cli.main import main

    server = latency_server_factory("/ok=5", "/boom=5:500")
    settings = write_config(
        scenario_toml(server.url, ("/ok", 1), ("/boom", 1), users=2, run_time="60s")
        + '[thresholds]\n"http_req_failed" = [{ threshold = "rate<0.1", abortOnFail = true, '
        'delayAbortEval = "1s" }]\n'
    )
    assert main(["loadcheck", "--json", "-"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)  # the JSON alone on stdout, the summary on stderr
    jsonschema.validate(document, load_schema("loadcheck"))
    assert "FAILED (aborted by http_req_failed rate<0.1)" in captured.err
    assert document["aborted_by"] == "http_req_failed rate<0.1"
    assert (document["status"], document["exit_code"]) == ("failed", 1)
    assert document["duration_s"] < 30  # stopped by the threshold, far before its 60 s
    with Store(settings.store.url) as store:
        stored = runs.get_run(store, document["run_id"])
    assert stored is not None and stored.status == "failed"
    assert stored.summary is not None and stored.summary["aborted_by"] == document["aborted_by"]


def test_workers_are_merged_exactly(
    latency_server_factory: Any, write_config: ConfigWriter, tmp_path: Path
) -> None:
    from perfsight.cli.main import main

    server = latency_server_factory("/a=37")
    write_config(scenario_toml(server.url, ("/a", 1), users=4, run_time="4s"))
    code = main(
        [
            "loadcheck",
            "--workers",
            "2",
            "--profile",
            "none",
            "--strict",
            "--json",
            "w.json",
            "--threshold",
            "http_req_duration=med<100",
            "--threshold",
            "n_plus_one=count==0",
        ]
    )
    document = json.loads((tmp_path / "w.json").read_text())
    assert code == 1  # --strict: n_plus_one is not measured by a load run alone
    assert [t["status"] for t in document["thresholds"]] == ["pass", "not_measured"]
    assert document["generator"]["runner"] == "MasterRunner"
    total = document["totals"]
    served = httpx.get(server.url + "/stats", timeout=5).json()["/a"]
    assert served - 4 <= total["requests"] <= served  # both workers' requests, none twice
    assert_close(total["med_ms"], 37)
    assert_close(total["min_ms"], 37)
    assert (
        sum(r["requests"] for r in document["series"] if r["endpoint"] == "Total")
        == (total["requests"])
    )
