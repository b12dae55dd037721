"""``[schedule]``: jobs run by ``perfsight schedule``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration, HttpUrl


class Job(Table):
    name: str = Field(description="Job id, unique.")
    kind: Literal["report", "collect", "loadcheck"] = Field(description="What the job runs.")
    cron: str | None = setting(None, "Crontab expression, e.g. '0 6 * * *'.")
    every: Duration | None = setting(None, "Interval, e.g. 15s (instead of cron).")
    args: dict[str, Any] = setting(dict, 'Options of the job (e.g. window = "24h").')

    @model_validator(mode="after")
    def _one_trigger(self) -> Job:
        if (self.cron is None) == (self.every is None):
            raise ValueError(f"job {self.name!r} needs exactly one of cron or every")
        return self


class ScheduleSettings(Table):
    jobs: list[Job] = setting(list, "The jobs ([[schedule.jobs]] name, kind, cron or every).")
    misfire_grace_time: Duration = setting(
        "5m", "A job that could not start on time still runs within this grace."
    )
    lock_ttl: Duration = setting(
        "60s", "A scheduler whose heartbeat is older than this is taken as dead."
    )
    report_dir: str = setting(".perfsight/reports", "Folder reports are written to.")
    webhook_url: HttpUrl = setting(
        None, "POST each report's JSON summary here (token redacted in logs).", secret=True
    )
    webhook_timeout: Duration = setting("10s", "Timeout of the webhook POST.")
