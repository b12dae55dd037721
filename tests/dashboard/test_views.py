"""The pages' data shaping, without Streamlit."""

from __future__ import annotations

from datetime import date

from dashboard.views import launch, trends, verdict
from dashboard.views.findings import fix_command
from dashboard.views.ranges import date_range
from dashboard.views.timefmt import ago
from perfsight.config import Settings
from perfsight.config.redact import scrub, secret_values
from perfsight.errors import ConfigError
from perfsight.thresholds import parse_expression
from tests.dashboard import seed


def test_downsample_keeps_every_series_under_its_cap_with_averages() -> None:
    points = [trends.TrendPoint(trends.P95, "s", float(i), float(i % 10)) for i in range(4000)]
    points += [trends.TrendPoint(trends.RPS, "r", 1.0, 5.0)]
    out = trends.downsample(points, max_points=100)
    p95 = [p for p in out if p.metric == trends.P95]
    assert len(p95) == 100
    assert all(p.value == 4.5 for p in p95)  # each slice of 40 holds 0..9 four times
    assert [p for p in out if p.metric == trends.RPS] == [points[-1]]


def test_verdict_prefers_the_newest_measured_outcome_and_names_its_origin() -> None:
    p95 = parse_expression("http_req_duration", "p(95)<500")
    measured = p95.evaluate(420.0, source="exact listener").to_dict()
    unmeasured = p95.evaluate(None).to_dict()
    extra = parse_expression("http_reqs", "rate>10").evaluate(50.0).to_dict()
    found = [
        verdict.Measurement("load run aaaa (error)", 300.0, [unmeasured, extra]),
        verdict.Measurement("report bbbb", 200.0, [measured]),
    ]
    rows = verdict.verdict_rows([p95], found, now=400.0)
    assert [(r.target, r.status, r.observed) for r in rows] == [
        ("http_req_duration p(95)<500", "pass", "420 ms"),
        ("http_reqs rate>10", "pass", "50 req/s"),
    ]
    assert rows[0].source == "report bbbb · exact listener"
    assert rows[0].measured.endswith("(3m20s ago)")


def test_fix_command_for_a_missing_index_is_the_exact_create_index() -> None:
    assert fix_command(seed.index_finding()) == (
        'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})'
    )
    assert fix_command(seed.n_plus_one_finding()).startswith("Load the days with one $in")


def test_form_to_options() -> None:
    form = launch.LaunchForm(
        host=" http://127.0.0.1:8000 ",
        users=5,
        spawn_rate=2.5,
        run_time="10s",
        profile="none",
        thresholds="http_req_duration=p(95)<300\n\nhttp_req_failed=rate<0.01",
        tags="env=staging, team = crm",
        label=" nightly ",
    )
    options = launch.to_options(form, "run1")
    assert (options.host, options.users, options.spawn_rate, options.run_time) == (
        "http://127.0.0.1:8000",
        5,
        2.5,
        "10s",
    )
    assert options.thresholds == ("http_req_duration=p(95)<300", "http_req_failed=rate<0.01")
    assert dict(options.tags) == {"env": "staging", "team": "crm"}
    assert (options.profile, options.label, options.run_id) == ("none", "nightly", "run1")
    staged = launch.to_options(launch.LaunchForm(host="", use_stages=True), "run2")
    assert (staged.users, staged.run_time, staged.profile) == (None, None, None)
    try:
        launch.to_options(launch.LaunchForm(host="", tags="oops"), "run3")
    except ConfigError as exc:
        assert "KEY=VALUE" in str(exc)
    else:
        raise AssertionError("a tag without '=' must be refused")


def test_scrub_masks_urls_and_configured_secrets() -> None:
    settings = Settings(
        redis={"url": "redis://:pw-1234@10.0.0.5:6379/0"},
        target={"headers": {"Authorization": "Bearer abcdef"}},
    )
    secrets = secret_values(settings)
    assert {"pw-1234", "Bearer abcdef"} <= secrets
    text = "AUTH to redis://:pw-1234@10.0.0.5:6379/0 failed; sent Bearer abcdef"
    assert scrub(text, secrets) == "AUTH to redis://:***@10.0.0.5:6379/0 failed; sent ***"


def test_time_helpers() -> None:
    since, until = date_range(date(2026, 5, 2), date(2026, 5, 1))
    assert until - since == 2 * 86400
    assert ago(100.0, now=190.0) == "1m30s ago"
    assert ago(None) == "never"


def test_the_masked_default_target_stands_for_the_configured_url() -> None:
    settings = Settings(target={"base_url": "http://svc:pw-9876@127.0.0.1:8000"})
    shown = launch.default_host(settings)
    assert "pw-9876" not in shown
    assert launch.resolve_host(shown, settings) == "http://svc:pw-9876@127.0.0.1:8000"
    assert launch.resolve_host(" http://127.0.0.1:9000 ", settings) == "http://127.0.0.1:9000"
