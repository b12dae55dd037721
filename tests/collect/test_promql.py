"""PromQL per exporter convention, and the [prometheus]/[redis]/[collect] settings that pick
it. (Every convention's queries also run against a real Prometheus in test_prometheus.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.promql import format_window, query_set
from collectors.records import ALL
from perfsight.config import load_config
from perfsight.config.prometheus import PrometheusSettings
from perfsight.errors import ConfigError


def test_perfsight_templates() -> None:
    queries = query_set(PrometheusSettings(url="http://p:9090", job="api"))
    assert queries.render("quantile", window="300s", q=0.95) == (
        "histogram_quantile(0.95, sum by (le, method, route) "
        '(rate(http_request_duration_seconds_bucket{job="api"}[300s])))'
    )
    assert queries.render("errors", window="1m") == (
        "sum by (method, route) (rate(http_request_duration_seconds_count"
        '{job="api",status_code=~"5.."}[1m]))'
    )
    assert queries.render("rps", window="1m", per_endpoint=False) == (
        'sum by () (rate(http_request_duration_seconds_count{job="api"}[1m]))'
    )
    assert queries.render("buckets", window="1m", per_endpoint=False) == (
        'sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[1m]))'
    )
    assert queries.render("cache", window="1m") == (
        'sum by (cache, result) (increase(cache_requests_total{job="api"}[1m]))'
    )


@pytest.mark.parametrize(
    ("convention", "needle", "by"),
    [
        ("express-prom-bundle", "http_request_duration_seconds_bucket", "method, path"),
        ("fastapi-instrumentator", "http_request_duration_seconds_bucket", "method, handler"),
        ("starlette-exporter", "starlette_request_duration_seconds_bucket", "method, path"),
    ],
)
def test_conventions(convention: str, needle: str, by: str) -> None:
    queries = query_set(PrometheusSettings(url="http://p", convention=convention))  # type: ignore[arg-type]
    quantile = queries.render("quantile", window="60s", q=0.5)
    assert quantile is not None and needle in quantile and f"(le, {by})" in quantile


def test_fastapi_whole_app_uses_the_fine_unlabelled_histogram() -> None:
    queries = query_set(PrometheusSettings(url="http://p", convention="fastapi-instrumentator"))
    overall = queries.render("quantile", window="60s", q=0.95, per_endpoint=False)
    assert overall is not None and "http_request_duration_highr_seconds_bucket" in overall
    errors = queries.render("errors", window="60s")
    assert errors == 'sum by (method, handler) (rate(http_requests_total{status=~"5.."}[60s]))'


def test_labels_selector_and_query_overrides() -> None:
    settings = PrometheusSettings(
        url="http://p",
        convention="starlette-exporter",
        route_label="route_tpl",
        status_label="code",
        job='we"ird',
        selector='{app="crm", env="prod"}',
        queries={"rps": "sum by ({by}) (irate({requests}{selector}[{window}]))"},
    )
    queries = query_set(settings)
    assert queries.render("rps", window="5m") == (
        "sum by (method, route_tpl) (irate(starlette_requests_total"
        '{job="we\\"ird",app="crm", env="prod"}[5m]))'
    )
    errors = queries.render("errors", window="5m")
    assert errors is not None and 'code=~"5.."' in errors
    assert queries.endpoint_of({"method": "post", "route_tpl": "/a/{id}"}) == "POST /a/{id}"
    assert queries.endpoint_of({"route_tpl": "/a"}) == "/a"  # no method: a bare path
    assert queries.endpoint_of({"method": "GET"}) == "GET *"  # no route label
    assert queries.endpoint_of({"route_tpl": "/a"}, per_endpoint=False) == ALL


def test_custom_without_histogram_has_no_bucket_or_rate_queries() -> None:
    settings = PrometheusSettings(
        url="http://p",
        convention="custom",
        route_label="r",
        queries={"quantile": "my_quantile{q}"},
    )
    queries = query_set(settings)
    assert queries.render("quantile", window="1m", q=0.5) == "my_quantile0.5"
    assert queries.render("buckets", window="1m") is None
    assert queries.render("rps", window="1m") is None
    assert queries.render("errors", window="1m") is None


def test_format_window() -> None:
    assert format_window(300) == "300s"
    assert format_window(1.5) == "1500ms"
    with pytest.raises(ValueError):
        format_window(0)


def _load(tmp_path: Path, text: str) -> str:
    path = tmp_path / "perfsight.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[prometheus]\nurl = "http://p"\nqueries = { p95 = "x" }\n', "unknown query 'p95'"),
        (
            '[prometheus]\nurl = "http://p"\n\nqueries = { rps = "rate(x[{range}])" }\n',
            "unknown placeholder(s) range",
        ),
        ('[prometheus]\nconvention = "custom"\nroute_label = "r"\n', "needs histogram"),
        ('[prometheus]\nconvention = "custom"\nhistogram = "h"\n', "needs route_label"),
        ('[prometheus]\nhistogram = "not a name"\n', "not a Prometheus metric name"),
        ('[prometheus]\nroute_label = "a-b"\n', "not a Prometheus label name"),
        ('[redis]\nurl = "http://h:6379"\n', "redis://, rediss:// or unix://"),
        ('[redis]\ninstances = { main = "redis://h" }\n', "name of [redis] url"),
        ('[redis]\ninstances = { "a b" = "redis://h" }\n', "instance name 'a b'"),
        ('[redis]\ninstances = { s = "h:6379" }\n', "instance 's'"),
        ('[collect]\nevery = "often"\n', "not a duration"),
    ],
)
def test_bad_settings_are_explained(tmp_path: Path, text: str, expected: str) -> None:
    message = _load(tmp_path, text)
    assert expected in message
    assert "perfsight.toml" in message


def test_error_points_at_the_line(tmp_path: Path) -> None:
    message = _load(tmp_path, '[prometheus]\nurl = "http://p"\n\nqueries = { x = "y" }\n')
    assert "line 4" in message


def test_redis_urls_main_first(tmp_path: Path) -> None:
    path = tmp_path / "perfsight.toml"
    path.write_text('[redis]\nurl = "redis://a"\ninstances = { sessions = "rediss://b" }\n')
    assert list(load_config(path).redis.urls()) == ["main", "sessions"]
