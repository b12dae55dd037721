"""Cache and Latency pages: seeded ratios and quantiles where they belong; a source that is
down says so in its own section while the stored figures stay."""

from __future__ import annotations

from perfsight.services import free_port
from tests.dashboard import seed
from tests.dashboard.conftest import Dashboard, frame, joined

REDIS = '[redis]\nurl = "redis://:s3cretpass@127.0.0.1:6379/0"\n'


def test_cache_empty_says_what_to_configure(dashboard: Dashboard) -> None:
    at = dashboard.open("cache")
    assert not at.exception
    assert "Set [redis] url" in joined(at)


def test_cache_ratios_per_source(dashboard_factory) -> None:
    dash = dashboard_factory(REDIS)
    seed.seed_samples(dash.store, dash.now)
    at = dash.open("cache")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Hit ratio over the range"] == "72.0%"  # 720 / (720 + 280)
    assert metrics["Lookups"] == "1,000"
    app = frame(at, "cache", "hit ratio")
    assert app.iloc[0]["cache"] == "pricing"
    assert app.iloc[0]["hit ratio"] == 0.9
    assert "Redis · main" in [h.value for h in at.subheader]
    assert "s3cretpass" not in joined(at)
    assert not at.error


def test_cache_redis_down_in_its_own_section(dashboard_factory) -> None:
    dash = dashboard_factory(REDIS)
    seed.seed_samples(dash.store, dash.now)
    seed.source_down(
        dash.store, "redis:main", "redis", "Error 111 connecting to 127.0.0.1:6379", dash.now
    )
    at = dash.open("cache")
    assert len(at.error) == 1
    assert "Redis main is down" in at.error[0].value
    assert "Error 111 connecting to 127.0.0.1:6379" in at.error[0].value
    assert {m.label: m.value for m in at.metric}["Hit ratio over the range"] == "72.0%"
    assert frame(at, "cache", "hit ratio").iloc[0]["hit ratio"] == 0.9


def test_latency_empty_says_what_to_configure(dashboard: Dashboard) -> None:
    at = dashboard.open("latency")
    assert not at.exception
    assert "Set [prometheus] url" in joined(at)


def test_latency_from_stored_samples(dashboard: Dashboard) -> None:
    seed.seed_samples(dashboard.store, dashboard.now)
    at = dashboard.open("latency")
    assert not at.exception
    table = frame(at, "endpoint", "p95 (ms)", "p95 bucket (ms)")
    rows = {r["endpoint"]: r for _, r in table.iterrows()}
    assert set(rows) == {"all endpoints", seed.ENDPOINT}
    row = rows[seed.ENDPOINT]
    assert (row["p50 (ms)"], row["p95 (ms)"], row["p99 (ms)"]) == (120.0, 456.0, 789.0)
    assert row["p95 bucket (ms)"] == "300–500"
    assert (row["req/s"], row["5xx"]) == (12.5, 0.02)
    assert "samples stored by perfsight collect" in joined(at)
    assert len(at.get("plotly_chart")) == 5


def test_latency_range_picker_excludes_older_samples(dashboard: Dashboard) -> None:
    seed.seed_samples(dashboard.store, dashboard.now - 3 * 3600)  # three hours ago
    at = dashboard.open("latency")  # default: the last hour
    assert "No latency data in this range" in joined(at)
    at.selectbox(key="latency-range").set_value("6 hours").run()
    assert frame(at, "endpoint", "p95 (ms)").shape[0] == 2


def test_latency_prometheus_down_shows_why_and_the_stored_figures(dashboard_factory) -> None:
    port = free_port()  # nothing listens there
    dash = dashboard_factory(
        f'[prometheus]\nurl = "http://127.0.0.1:{port}"\n'
        'headers = { Authorization = "Bearer tok-9f8e7d" }\n'
    )
    seed.seed_samples(dash.store, dash.now)
    at = dash.open("latency")
    assert not at.exception
    assert len(at.error) == 1
    assert "Prometheus is down" in at.error[0].value
    assert frame(at, "endpoint", "p95 (ms)")["p95 (ms)"].max() == 456.0
    assert "tok-9f8e7d" not in joined(at)
