"""``[load]``: the load scenario of ``perfsight loadcheck`` and dashboard-started runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration


class LoadEndpoint(Table):
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = setting(
        "GET", "HTTP method."
    )
    path: str = Field(
        description="Path, with {name} placeholders filled from values, e.g. /api/leads/{id}.",
    )
    route: str | None = setting(
        None, "Route template for the endpoint key when path is concrete (default: path)."
    )
    values: dict[str, list[Any]] = setting(
        dict, "Values for each {placeholder}, chosen at random per request."
    )
    weight: int = setting(1, "Relative frequency of this endpoint in the mix.", ge=1)
    headers: dict[str, str] = setting(dict, "Extra request headers.", secret=True)
    json_body: Any = setting(None, "JSON body for POST/PUT/PATCH.", alias="json")

    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class Stage(Table):
    duration: Duration = Field(description="How long this stage lasts, e.g. 30s.")
    target: int = Field(description="Users at the end of the stage (ramped linearly).", ge=0)


class LoadSettings(Table):
    scenario: list[LoadEndpoint] = setting(
        list, "The endpoint mix ([[load.scenario]] entries). Empty: a locustfile is needed."
    )
    locustfile: str | None = setting(None, "A locustfile of your own, run unchanged.")
    users: int = setting(10, "Concurrent users (without stages).", ge=1)
    spawn_rate: float = setting(10.0, "Users started per second.", gt=0)
    run_time: Duration = setting("30s", "Run length (without stages).")
    stages: list[Stage] = setting(list, "k6-style stages ([[load.stages]] duration, target).")
    think_time: Duration = setting("0s", "Pause of each user between requests.")
    workers: int = setting(0, "Local Locust worker processes (0: a single process).", ge=0)
    remote_workers: int = setting(
        0,
        "Locust workers on other machines the master waits for (perfsight loadcheck --worker "
        "--master-host H on each); 0: none.",
        ge=0,
    )
    master_bind_host: str = setting(
        "127.0.0.1",
        "Interface the Locust master listens on for remote workers (e.g. 0.0.0.0 or this "
        "machine's address; loopback by default).",
    )
    master_port: int = setting(
        5557, "Port of the Locust master for workers (Locust's default).", ge=1, le=65535
    )
    remote_wait: Duration = setting(
        "2m", "How long the master waits for its remote workers before the run fails."
    )
    profile: Literal["seed", "none"] = setting(
        "seed", "Threshold profile used when [thresholds] is absent."
    )
    tags: dict[str, str] = setting(dict, "Tags stored with every run (e.g. environment).")
    baseline: str | None = setting(
        None,
        "Compare every run with a baseline: 'last-pass' (the latest passed run with the same "
        "tags, git_commit aside) or a run id. Unset: no baseline (--baseline).",
    )
    baseline_p95_tolerance: float = setting(
        0.10,
        "Baseline rule: each endpoint's p95 may be at most this much worse (0.10 = +10 %).",
        ge=0,
    )
    baseline_rps_tolerance: float = setting(
        0.10, "Baseline rule: req/s may be at most this much lower (0.10 = -10 %).", ge=0, lt=1
    )
    backend_settle: Duration = setting(
        "5s",
        "After the load, how long to wait for Prometheus to scrape the end of the window.",
    )
    target_pid: int | None = setting(
        None,
        "Process id of the target API on this machine, whose CPU and memory are watched "
        "(default: the process listening on the target's port, when it runs here).",
        ge=1,
    )
    generator_cpu_limit: float = setting(
        90.0,
        "A Locust process above this share of one CPU core (median, %) is saturated: the run "
        "then measured the generator, and says so.",
        gt=0,
    )

    @model_validator(mode="after")
    def _stages_or_users(self) -> LoadSettings:
        if self.stages and all(stage.target == 0 for stage in self.stages):
            raise ValueError("stages never start a user: give a stage a target above 0")
        return self
