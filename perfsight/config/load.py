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
    profile: Literal["seed", "none"] = setting(
        "seed", "Threshold profile used when [thresholds] is absent."
    )
    tags: dict[str, str] = setting(dict, "Tags stored with every run (e.g. environment).")

    @model_validator(mode="after")
    def _stages_or_users(self) -> LoadSettings:
        if self.stages and all(stage.target == 0 for stage in self.stages):
            raise ValueError("stages never start a user: give a stage a target above 0")
        return self
