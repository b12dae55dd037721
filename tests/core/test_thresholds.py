from __future__ import annotations

import pytest

from perfsight.errors import ThresholdError
from perfsight.thresholds import (
    SEED_PROFILE,
    overall_status,
    parse_cli,
    parse_entry,
    parse_expression,
    parse_table,
    profile,
)


@pytest.mark.parametrize(
    ("metric", "expression", "aggregation", "percentile", "op", "value", "stat"),
    [
        ("http_req_duration", "avg<200", "avg", None, "<", 200.0, "avg"),
        ("http_req_duration", "p(95)<500", "p", 95.0, "<", 500.0, "p95"),
        ("http_req_duration", "p(99.9) < 1500", "p", 99.9, "<", 1500.0, "p99.9"),
        ("http_req_duration", "med<=100", "med", None, "<=", 100.0, "med"),
        ("http_req_duration", "max<2000", "max", None, "<", 2000.0, "max"),
        ("http_req_duration", "min>=1", "min", None, ">=", 1.0, "min"),
        ("http_req_failed", "rate<0.01", "rate", None, "<", 0.01, "rate"),
        ("http_reqs", "rate>500", "rate", None, ">", 500.0, "rate"),
        ("http_reqs", "count>=1e3", "count", None, ">=", 1000.0, "count"),
        ("n_plus_one", "count==0", "count", None, "==", 0.0, "count"),
        ("cache_hit_ratio", "value>0.7", "value", None, ">", 0.7, "value"),
        ("db_queries_per_request", "avg<=5", "avg", None, "<=", 5.0, "avg"),
    ],
)
def test_every_form_parses(
    metric: str,
    expression: str,
    aggregation: str,
    percentile: float | None,
    op: str,
    value: float,
    stat: str,
) -> None:
    threshold = parse_expression(metric, expression)
    assert threshold.metric == metric
    assert threshold.aggregation == aggregation
    assert threshold.percentile == percentile
    assert threshold.operator == op
    assert threshold.value == value
    assert threshold.stat == stat
    assert threshold.scope == ()


@pytest.mark.parametrize(
    ("expression", "observed", "status"),
    [
        ("p(95)<500", 499.0, "pass"),
        ("p(95)<500", 500.0, "fail"),
        ("med<=100", 100.0, "pass"),
        ("avg>=10", 9.99, "fail"),
        ("max!=3", 3.0, "fail"),
        ("min==3", 3.0, "pass"),
        ("avg>1", None, "not_measured"),
        ("avg>1", float("nan"), "not_measured"),
    ],
)
def test_evaluate(expression: str, observed: float | None, status: str) -> None:
    outcome = parse_expression("http_req_duration", expression).evaluate(observed, source="test")
    assert outcome.status == status
    assert outcome.source == "test"
    assert outcome.to_dict()["status"] == status


def test_not_measured_never_passes() -> None:
    outcome = parse_expression("cache_hit_ratio", "value>0.7").evaluate(None)
    assert not outcome.passed
    assert outcome.observed is None


def test_scope_full_key_with_braces_of_its_own() -> None:
    full = parse_expression("http_req_duration{endpoint:GET /api/itineraries/{id}}", "p(95)<300")
    assert full.scope_value("endpoint") == "GET /api/itineraries/{id}"
    assert full.metric == "http_req_duration"
    cli = parse_cli("http_req_duration{endpoint:GET /api/itineraries/{id}}=p(95)<300")
    assert cli == full


def test_scope_values() -> None:
    bare = parse_expression("http_req_duration{endpoint:/api/bookings}", "p(95)<300")
    assert bare.scope == (("endpoint", "/api/bookings"),)
    assert bare.target == "http_req_duration{endpoint:/api/bookings}"
    keyed = parse_expression("http_req_duration{endpoint:GET /api/bookings}", "avg<100")
    assert keyed.scope_value("endpoint") == "GET /api/bookings"
    assert keyed.name == "http_req_duration{endpoint:GET /api/bookings} avg<100"
    cache = parse_expression("cache_hit_ratio{cache:pricing}", "value>0.8")
    assert cache.scope_value("cache") == "pricing"


@pytest.mark.parametrize(
    ("target", "expression", "message"),
    [
        ("http_req_duration", "p95<500", "cannot parse"),
        ("http_req_duration", "avg<", "cannot parse"),
        ("http_req_duration", "average<200", "cannot parse"),
        ("http_req_duration", "avg<<200", "cannot parse"),
        ("http_req_duration", "p(0)<1", "percentile"),
        ("http_req_duration", "p(101)<1", "percentile"),
        ("http_req_duration", "rate<0.01", "trend metric"),
        ("http_req_failed", "p(95)<1", "rate metric"),
        ("cache_hit_ratio", "avg>0.7", "gauge metric"),
        ("n_plus_one", "value==0", "counter metric"),
        ("http_req_durations", "avg<1", "unknown metric"),
        ("http_req_duration{endpoint}", "avg<1", "key:value"),
        ("http_req_duration{status:500}", "avg<1", "cannot be scoped by 'status'"),
        ("9metric", "avg<1", "not a metric name"),
    ],
)
def test_bad_expressions_name_themselves(target: str, expression: str, message: str) -> None:
    with pytest.raises(ThresholdError) as info:
        parse_expression(target, expression)
    assert message in str(info.value)


def test_bad_expression_message_quotes_it() -> None:
    with pytest.raises(ThresholdError, match=r"'p95<500'"):
        parse_expression("http_req_duration", "p95<500")


def test_cli_form() -> None:
    plain = parse_cli("http_req_duration=p(95)<200")
    assert (plain.metric, plain.stat, plain.value) == ("http_req_duration", "p95", 200.0)
    scoped = parse_cli("http_req_duration{endpoint:/api/bookings}=p(95)<=300")
    assert scoped.scope == (("endpoint", "/api/bookings"),)
    assert scoped.operator == "<="
    counted = parse_cli("n_plus_one=count==0")
    assert (counted.operator, counted.value) == ("==", 0.0)
    with pytest.raises(ThresholdError, match="METRIC=EXPRESSION"):
        parse_cli("p(95)<200")


def test_long_form() -> None:
    threshold = parse_entry(
        "http_req_failed", {"threshold": "rate<0.05", "abortOnFail": True, "delayAbortEval": "10s"}
    )
    assert threshold.abort_on_fail is True
    assert threshold.delay_abort_eval == 10.0
    with pytest.raises(ThresholdError, match="long-form"):
        parse_entry("http_req_failed", {"expr": "rate<0.05"})
    with pytest.raises(ThresholdError, match="abortOnFail"):
        parse_entry("http_req_failed", {"threshold": "rate<0.05", "abortOnFail": "yes"})


def test_seed_profile_is_the_plans_acceptance_criteria() -> None:
    by_name = {t.name for t in profile("seed")}
    assert by_name == {
        "http_req_duration avg<200",
        "http_req_duration p(95)<500",
        "http_reqs rate>500",
        "http_req_failed rate<0.01",
        "cache_hit_ratio value>0.70",
        "db_queries_per_request avg<=5",
        "n_plus_one count==0",
        "unpaginated_endpoints count==0",
    }
    assert profile("none") == []
    assert len(parse_table(SEED_PROFILE)) == 8
    with pytest.raises(ThresholdError, match="unknown threshold profile"):
        profile("strict")


def test_overall_status() -> None:
    t = parse_expression("http_req_duration", "avg<10")
    assert overall_status([t.evaluate(1), t.evaluate(2)]) == "pass"
    assert overall_status([t.evaluate(1), t.evaluate(None)]) == "not_measured"
    assert overall_status([t.evaluate(100), t.evaluate(None)]) == "fail"
