"""``[schedule]``: jobs run by ``perfsight schedule``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration, HttpUrl


class Job(Table):
    name: str = Field(description="Job id, unique.", pattern=r"^[A-Za-z0-9_.\-]+$")
    kind: Literal["report", "collect", "loadcheck", "prune"] = Field(
        description="What the job runs: the perfsight subcommand of that name "
        "(prune: 'store prune')."
    )
    cron: str | None = setting(
        None, "Crontab expression with crontab's weekday numbers (0 or 7 = Sunday): '0 6 * * 1'."
    )
    every: Duration | None = setting(None, "Interval, e.g. 15s (instead of cron).")
    args: dict[str, Any] = setting(
        dict,
        "Options of the subcommand: key = value becomes --key value (true: --key; a list or a "
        'table repeats it: tag = { env = "staging" } → --tag env=staging).',
    )
    timeout: Duration = setting("2h", "A run still going after this is stopped.")

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, value: str | None) -> str | None:
        if value is not None:
            from perfsight.scheduler.crontab import cron_trigger

            cron_trigger(value)  # raises ValueError with the expression named
        return value

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
    timezone: str = setting("UTC", "Time zone of cron expressions.")
    report_dir: str = setting(".perfsight/reports", "Folder reports are written to.")
    webhook_url: HttpUrl = setting(
        None, "POST each report's JSON summary here (token redacted in logs).", secret=True
    )
    webhook_timeout: Duration = setting("10s", "Timeout of the webhook POST.")

    @model_validator(mode="after")
    def _unique_names(self) -> ScheduleSettings:
        names = [job.name for job in self.jobs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"job names must be unique; repeated: {', '.join(duplicates)}")
        return self
