"""Thresholds against the exact figures: values, scopes, not measured, exit codes, abortOnFail."""

from __future__ import annotations

import pytest

from loadruns.aggregate import RunAggregate
from loadruns.verdict import LoadMetrics, Observation, abort_check, decide, evaluate
from perfsight.thresholds import Threshold, parse_cli, parse_entry
from tests.loadruns.test_aggregate import tick


@pytest.fixture
def metrics() -> LoadMetrics:
    agg = RunAggregate()
    agg.apply(tick(102.0, 2, {100: {"GET /a": [10, 20, 30, 40]}, 101: {"GET /b": [600, 700]}}))
    return LoadMetrics(agg)


@pytest.mark.parametrize(
    ("text", "observed", "status"),
    [
        ("http_req_duration=avg<300", 1400 / 6, "pass"),
        ("http_req_duration=med<100", 30.0, "pass"),
        ("http_req_duration=p(95)<500", 700.0, "fail"),
        ("http_req_duration=max<=700", 700.0, "pass"),
        ("http_req_duration=min>5", 10.0, "pass"),
        ("http_req_duration{endpoint:/a}=p(99)<50", 40.0, "pass"),
        ("http_req_duration{endpoint:GET /b}=avg<600", 650.0, "fail"),
        ("http_reqs=count==6", 6.0, "pass"),
        ("http_req_failed=rate<0.5", 2 / 6, "pass"),
        ("http_req_failed{endpoint:/b}=rate==0", 1.0, "fail"),
    ],
)
def test_load_metrics(metrics: LoadMetrics, text: str, observed: float, status: str) -> None:
    (outcome,) = evaluate([parse_cli(text)], [metrics])
    assert outcome.observed == pytest.approx(observed)
    assert outcome.status == status
    assert outcome.source == "load generator"


def test_rate_of_http_reqs_is_requests_over_the_active_span(metrics: LoadMetrics) -> None:
    (outcome,) = evaluate([parse_cli("http_reqs=rate>1")], [metrics])
    assert outcome.observed == pytest.approx(6 / 1.5)  # first start 100.0, last end 101.5


def test_unmeasured_metrics_and_unseen_endpoints_are_not_measured(metrics: LoadMetrics) -> None:
    backend, unseen = evaluate(
        [parse_cli("cache_hit_ratio=value>0.7"), parse_cli("http_req_duration{endpoint:/z}=avg<1")],
        [metrics],
    )
    assert (backend.status, backend.observed) == ("not_measured", None)
    assert "cache_hit_ratio" in (backend.detail or "")
    assert unseen.status == "not_measured" and "/z" in (unseen.detail or "")


def test_a_later_source_measures_what_the_load_generator_does_not(metrics: LoadMetrics) -> None:
    class Cache:
        def observe(self, threshold: Threshold) -> Observation | None:
            if threshold.metric != "cache_hit_ratio":
                return None
            return Observation(0.9, "redis")

    (outcome,) = evaluate([parse_cli("cache_hit_ratio=value>0.7")], [metrics, Cache()])
    assert (outcome.status, outcome.observed, outcome.source) == ("pass", 0.9, "redis")


def test_decisions_and_exit_codes(metrics: LoadMetrics) -> None:
    passed, failed = evaluate(
        [parse_cli("http_reqs=count>1"), parse_cli("http_reqs=count>100")], [metrics]
    )
    unmeasured = evaluate([parse_cli("n_plus_one=count==0")], [metrics])[0]
    assert decide([passed], strict=False, interrupted=False).exit_code == 0
    assert decide([passed, failed], strict=False, interrupted=False).status == "failed"
    relaxed = decide([passed, unmeasured], strict=False, interrupted=False)
    assert (relaxed.status, relaxed.verdict, relaxed.exit_code) == ("passed", "not_measured", 0)
    assert decide([passed, unmeasured], strict=True, interrupted=False).exit_code == 1
    assert decide([passed], strict=False, interrupted=True).exit_code == 2


def test_abort_check_waits_for_delay_abort_eval(metrics: LoadMetrics) -> None:
    abort = parse_entry(
        "http_req_failed", {"threshold": "rate<0.1", "abortOnFail": True, "delayAbortEval": "5s"}
    )
    plain = parse_cli("http_req_failed=rate<0.1")
    assert abort_check([abort, plain], [metrics], elapsed=2.0) is None
    failing = abort_check([abort, plain], [metrics], elapsed=6.0)
    assert failing is not None and failing.threshold is abort
