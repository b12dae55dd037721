from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from perfsight.config.schedule import Job, ScheduleSettings
from perfsight.scheduler.crontab import cron_trigger
from perfsight.scheduler.jobs import JobProcesses, job_argv, options

WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "weekday"),
    [
        ("0 6 * * 1", "Mon"),  # crontab's Monday, not APScheduler 3.x's Tuesday
        ("0 6 * * 0", "Sun"),
        ("0 6 * * 7", "Sun"),
        ("0 6 * * 5", "Fri"),
        ("0 6 * * fri", "Fri"),
        ("0 6 * * 4-5", "Thu"),
    ],
)
def test_crontab_weekdays_mean_what_crontab_means(expression: str, weekday: str) -> None:
    fire = cron_trigger(expression).get_next_fire_time(None, WEDNESDAY)
    assert fire is not None and fire.strftime("%a %H:%M") == f"{weekday} 06:00"


def test_crontab_steps_and_lists() -> None:
    trigger = cron_trigger("30 2 * * */2")  # sun, tue, thu, sat
    fires = []
    previous = None
    now = WEDNESDAY
    for _ in range(4):
        previous = trigger.get_next_fire_time(previous, now)
        assert previous is not None
        fires.append(previous.strftime("%a"))
        now = previous
    assert fires == ["Thu", "Sat", "Sun", "Tue"]


@pytest.mark.parametrize("expression", ["0 6 * *", "61 * * * *", "0 6 * * 8", "0 6 * * 5-1"])
def test_bad_crontab_is_a_config_error(expression: str) -> None:
    with pytest.raises(ValueError):
        Job(name="x", kind="report", cron=expression)


def test_job_names_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        ScheduleSettings(
            jobs=[
                Job(name="a", kind="prune", every="1m"),
                Job(name="a", kind="report", every="1h"),
            ]
        )


def test_options_become_flags() -> None:
    assert options(
        {"window": "24h", "once": True, "dry_run": False, "tag": {"env": "staging"}, "f": [1, 2]}
    ) == ["--window", "24h", "--once", "--tag", "env=staging", "--f", "1", "--f", "2"]
    job = Job(name="nightly", kind="prune", cron="0 3 * * *", args={"older_than": "30d"})
    argv = job_argv(job, "/etc/perfsight.toml")
    assert argv[:3] == [sys.executable, "-m", "perfsight"]
    assert argv[3:] == ["--config", "/etc/perfsight.toml", "store", "prune", "--older-than", "30d"]


def test_job_process_statuses() -> None:
    processes = JobProcesses()
    ok = processes.run([sys.executable, "-c", "print('hi')"], timeout=30)
    assert (ok.status, ok.exit_code, ok.output.strip()) == ("ok", 0, "hi")
    failed = processes.run([sys.executable, "-c", "raise SystemExit(1)"], timeout=30)
    assert failed.status == "failed"
    broken = processes.run([sys.executable, "-c", "raise SystemExit(2)"], timeout=30)
    assert broken.status == "error"
    slow = processes.run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow.status == "timeout"
    missing = processes.run(["/nonexistent/binary"], timeout=5)
    assert missing.status == "error" and "could not start" in missing.output
