"""Input checks before anything is recorded or sent, and how options override the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadruns.plan import LoadOptions, make_plan
from perfsight.errors import ConfigError, HostNotAllowed, InputError, ThresholdError
from tests.loadruns.conftest import ConfigWriter, scenario_toml

BASE = "http://127.0.0.1:9"


def test_config_values_and_command_line_overrides(write_config: ConfigWriter) -> None:
    settings = write_config(scenario_toml(BASE, ("/a", 2), users=4, run_time="10s"))
    plan = make_plan(settings, LoadOptions())
    assert (plan.users, plan.run_time, plan.endpoints) == (4, 10.0, ["GET /a"])
    plan = make_plan(settings, LoadOptions(users=2, run_time="1m", spawn_rate=3, host=BASE + "/"))
    assert (plan.users, plan.run_time, plan.spawn_rate, plan.host) == (2, 60.0, 3.0, BASE)


def test_thresholds_profile_none_empties_and_threshold_adds(write_config: ConfigWriter) -> None:
    settings = write_config(scenario_toml(BASE, ("/a", 1)))
    seed = make_plan(settings, LoadOptions())
    assert "http_req_duration p(95)<500" in [t.name for t in seed.thresholds]
    plan = make_plan(
        settings,
        LoadOptions(
            profile="none",
            thresholds=("http_req_duration{endpoint:/api/bookings}=p(95)<300",),
        ),
    )
    assert [t.name for t in plan.thresholds] == [
        "http_req_duration{endpoint:/api/bookings} p(95)<300"
    ]
    configured = write_config(
        scenario_toml(BASE, ("/a", 1)) + '[thresholds]\nhttp_reqs = ["count>10"]\n'
    )
    names = [
        t.name
        for t in make_plan(configured, LoadOptions(thresholds=("http_reqs=rate>1",))).thresholds
    ]
    assert names == ["http_reqs count>10", "http_reqs rate>1"]


@pytest.mark.parametrize("text", ["http_req_duration=p95<200", "nope=avg<1", "http_req_duration"])
def test_a_bad_threshold_is_an_input_error(write_config: ConfigWriter, text: str) -> None:
    settings = write_config(scenario_toml(BASE, ("/a", 1)))
    with pytest.raises(ThresholdError):
        make_plan(settings, LoadOptions(thresholds=(text,)))


def test_a_host_outside_allowed_hosts_is_refused_naming_host_and_setting(
    write_config: ConfigWriter,
) -> None:
    settings = write_config(scenario_toml("http://api.example.com", ("/a", 1)))
    with pytest.raises(HostNotAllowed) as info:
        make_plan(settings, LoadOptions())
    assert "api.example.com" in str(info.value) and "allowed_hosts" in str(info.value)
    allowed = write_config(
        scenario_toml("http://api.example.com", ("/a", 1)).replace(
            "[target]\n", '[target]\nallowed_hosts = ["*.example.com"]\n'
        )
    )
    assert make_plan(allowed, LoadOptions()).host == "http://api.example.com"


def test_stages_replaced_by_users_or_run_time_on_the_command_line(
    write_config: ConfigWriter,
) -> None:
    stages = (
        '[[load.stages]]\nduration = "2s"\ntarget = 3\n'
        '[[load.stages]]\nduration = "1s"\ntarget = 0\n'
    )
    settings = write_config(scenario_toml(BASE, ("/a", 1)) + stages)
    plan = make_plan(settings, LoadOptions())
    assert plan.stages == ((2.0, 3), (1.0, 0)) and plan.run_time is None
    assert (plan.planned_duration, plan.peak_users) == (3.0, 3)
    assert make_plan(settings, LoadOptions(users=2)).stages == ()


def test_workload_errors(write_config: ConfigWriter, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nothing to run"):
        make_plan(write_config(f'[target]\nbase_url = "{BASE}"\n'), LoadOptions())
    with pytest.raises(InputError, match="no such locustfile"):
        make_plan(write_config(scenario_toml(BASE, ("/a", 1))), LoadOptions(locustfile="x.py"))
    broken = tmp_path / "broken.py"
    broken.write_text("from locust import HttpUser\n\nclass U(HttpUser:\n    pass\n")
    with pytest.raises(InputError, match="line 3"):
        make_plan(write_config(scenario_toml(BASE, ("/a", 1))), LoadOptions(locustfile=str(broken)))
    holes = write_config(scenario_toml(BASE, ("/api/leads/{id}", 1)))
    with pytest.raises(ConfigError, match=r"values\.id"):
        make_plan(holes, LoadOptions())
    with pytest.raises(ConfigError, match="no target"):
        make_plan(write_config('[[load.scenario]]\npath = "/a"\n'), LoadOptions())
    with pytest.raises(ConfigError, match="run-id"):
        make_plan(write_config(scenario_toml(BASE, ("/a", 1))), LoadOptions(run_id="../x"))


def test_own_shape_and_stages_conflict(write_config: ConfigWriter, tmp_path: Path) -> None:
    shaped = tmp_path / "shaped.py"
    shaped.write_text(
        "from locust import LoadTestShape\n\nclass S(LoadTestShape):\n"
        "    def tick(self):\n        return None\n"
    )
    settings = write_config(
        f'[target]\nbase_url = "{BASE}"\n[[load.stages]]\nduration = "2s"\ntarget = 3\n'
    )
    with pytest.raises(ConfigError, match="LoadTestShape"):
        make_plan(settings, LoadOptions(locustfile=str(shaped)))


def test_tags_include_the_commit_from_ci(
    write_config: ConfigWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123")
    settings = write_config(scenario_toml(BASE, ("/a", 1)) + '[load.tags]\nenvironment = "ci"\n')
    plan = make_plan(settings, LoadOptions(tags={"team": "core"}, label="nightly"))
    assert plan.tags == {"git_commit": "0123456789ab", "environment": "ci", "team": "core"}
    assert plan.label == "nightly"


def test_options_round_trip_through_argv() -> None:
    options = LoadOptions(
        host=BASE,
        users=3,
        run_time="5s",
        thresholds=("http_reqs=count>1",),
        profile="none",
        tags={"a": "b"},
        strict=True,
        run_id="abc",
    )
    from perfsight.cli.loadcheck import options_from
    from perfsight.cli.main import build_parser

    args = build_parser().parse_args(["loadcheck", *options.to_argv()])
    assert options_from(args) == options
