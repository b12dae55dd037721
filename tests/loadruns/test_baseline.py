"""The baseline: which run ``last-pass`` picks (same tags, git_commit aside), the regression
rules it adds, the differences it shows, and the errors for a run id that cannot serve."""

from __future__ import annotations

import pytest

from loadruns.baseline import differences, mark, resolve
from loadruns.result import EndpointStats
from loadruns.verdict import Observation, evaluate
from perfsight.errors import ConfigError
from perfsight.store import Store, runs
from perfsight.thresholds import Threshold


def add_run(
    store: Store,
    status: str,
    tags: dict[str, str],
    rows: dict[str, tuple[float, float]],
    *,
    at: float,
) -> str:
    """A finished run with per-endpoint (p95 ms, req/s) figures."""
    run_id = runs.create_run(store, target="http://127.0.0.1:1", settings={}, tags=tags, now=at)
    runs.put_endpoint_stats(
        store,
        run_id,
        [
            {"endpoint": name, "requests": 100, "failures": 1, "p95_ms": p95, "rps": rps}
            for name, (p95, rps) in rows.items()
        ],
    )
    runs.finish_run(store, run_id, status, now=at + 30)
    return run_id


def stats(endpoint: str, p95: float, rps: float) -> EndpointStats:
    return EndpointStats(endpoint, 100, 0, p95, p95, p95, p95, p95, p95, p95, rps)


def test_last_pass_is_the_latest_passed_run_with_the_same_tags(store: Store) -> None:
    figures = {"GET /a": (100.0, 40.0), "Total": (120.0, 50.0)}
    old = add_run(store, "passed", {"env": "staging", "git_commit": "aaa"}, figures, at=1000)
    add_run(store, "failed", {"env": "staging"}, figures, at=2000)  # not a pass
    add_run(store, "passed", {"env": "prod"}, figures, at=3000)  # other environment
    baseline, note = resolve(
        store,
        "last-pass",
        {"env": "staging", "git_commit": "bbb"},  # another commit: the point of a baseline
        p95_tolerance=0.1,
        rps_tolerance=0.1,
    )
    assert note is None and baseline is not None and baseline.run_id == old
    rules = {rule.name for rule in baseline.rules()}
    assert rules == {"http_req_duration{endpoint:GET /a} p(95)<=110", "http_reqs rate>=45"}


def test_no_previous_pass_is_said_not_an_error(store: Store) -> None:
    baseline, note = resolve(
        store, "last-pass", {"env": "new"}, p95_tolerance=0.1, rps_tolerance=0.1
    )
    assert baseline is None
    assert note == "no passed run with the same tags (env=new) to compare with: no baseline"


@pytest.mark.parametrize("status", ["unknown", "running", "empty"])
def test_a_run_id_that_cannot_serve_is_a_config_error(store: Store, status: str) -> None:
    if status == "unknown":
        run_id = "nosuchrun"
    elif status == "running":
        run_id = runs.create_run(store, target=None, settings={})
    else:
        run_id = add_run(store, "passed", {}, {}, at=1000)
    with pytest.raises(ConfigError) as caught:
        resolve(store, run_id, {}, p95_tolerance=0.1, rps_tolerance=0.1)
    assert caught.value.source == "--baseline"
    assert run_id in str(caught.value)


def test_rules_fail_a_regression_and_the_differences_show_it(store: Store) -> None:
    run_id = add_run(
        store,
        "passed",
        {},
        {"GET /a": (100.0, 40.0), "GET /b": (0.0, 5.0), "Total": (90.0, 50.0)},
        at=1000,
    )
    baseline, _ = resolve(store, run_id, {}, p95_tolerance=0.1, rps_tolerance=0.1)
    assert baseline is not None
    rules = baseline.rules()
    now = {"GET /a": 125.0, "GET /b": 1.0}  # /a 25 % worse; /b within the 1 ms resolution

    class Current:
        def observe(self, threshold: Threshold) -> Observation | None:
            endpoint = threshold.scope_value("endpoint")
            if threshold.metric == "http_reqs":
                return Observation(47.0, "load generator")
            return Observation(now[endpoint or ""], "load generator")

    outcomes = mark(evaluate(rules, [Current()]), baseline)
    by_name = {o.threshold.name: o for o in outcomes}
    regression = by_name["http_req_duration{endpoint:GET /a} p(95)<=110"]
    assert regression.status == "fail"
    assert regression.extra["baseline"] == {"run_id": run_id, "before": 100.0, "change": 0.25}
    assert by_name["http_req_duration{endpoint:GET /b} p(95)<=1"].status == "pass"
    assert by_name["http_reqs rate>=45"].status == "pass"

    rows = differences(baseline, [stats("GET /a", 125.0, 38.0), stats("GET /c", 5.0, 2.0)])
    by_endpoint = {row["endpoint"]: row for row in rows}
    assert by_endpoint["GET /a"]["p95_change"] == 0.25
    assert by_endpoint["GET /a"]["rps_change"] == -0.05
    assert (by_endpoint["GET /b"]["status"], by_endpoint["GET /c"]["status"]) == ("gone", "new")
    assert [row["endpoint"] for row in rows][-1] == "Total"
