"""The scheduler process: APScheduler 3.x runs the jobs only while this instance holds the
single-instance lock (a store row with a heartbeat that expires).

Two live schedulers never run the same jobs: the one without the lock waits on standby and
takes over once the holder's heartbeat has expired (a crashed or killed scheduler). A holder
that finds its lock taken (it stalled longer than the TTL) stops its jobs at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from perfsight.config import Settings
from perfsight.config.schedule import Job
from perfsight.durations import parse_duration
from perfsight.scheduler.crontab import cron_trigger
from perfsight.scheduler.jobs import JobProcesses, JobResult, job_argv, job_timeout
from perfsight.store import Store, heartbeat, jobruns

LOCK_NAME = "scheduler"
log = logging.getLogger("perfsight.schedule")

JobRunner = Callable[[Job], JobResult]


class SchedulerService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        config_path: str | None = None,
        runner: JobRunner | None = None,
        owner: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.config_path = config_path
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.ttl = parse_duration(settings.schedule.lock_ttl)
        self.processes = JobProcesses()
        self.runner = runner or self._run_subprocess
        self.stop_event = threading.Event()
        self.active = False
        self._scheduler: BackgroundScheduler | None = None

    # -- the lock ---------------------------------------------------------------------------

    def _info(self) -> dict[str, Any]:
        jobs = []
        if self._scheduler is not None:
            for job in self._scheduler.get_jobs():
                next_run = getattr(job, "next_run_time", None)
                jobs.append(
                    {"name": job.id, "next_run": next_run.isoformat() if next_run else None}
                )
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "active": self.active,
            "jobs": jobs,
        }

    def tick(self) -> bool:
        """Take or renew the lock; start or stop the jobs accordingly. True while active."""
        held = heartbeat.acquire(self.store, LOCK_NAME, self.owner, self.ttl, info=self._info())
        if held and not self.active:
            self._start_jobs()
            heartbeat.acquire(self.store, LOCK_NAME, self.owner, self.ttl, info=self._info())
        elif not held and self.active:
            log.warning("lost the scheduler lock to another instance: stopping my jobs")
            self._stop_jobs()
        elif not held:
            holder = heartbeat.current(self.store, LOCK_NAME)
            if holder is not None:
                log.info("standby: %s holds the scheduler lock", holder.owner)
        return self.active

    # -- the jobs ---------------------------------------------------------------------------

    def _start_jobs(self) -> None:
        schedule = self.settings.schedule
        scheduler = BackgroundScheduler(
            timezone=schedule.timezone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(parse_duration(schedule.misfire_grace_time)),
            },
        )
        for job in schedule.jobs:
            trigger = (
                cron_trigger(job.cron, schedule.timezone)
                if job.cron
                else IntervalTrigger(seconds=parse_duration(job.every or "0"), timezone=UTC)
            )
            scheduler.add_job(self._execute, trigger, args=[job], id=job.name, name=job.name)
        scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
        scheduler.start()
        self._scheduler = scheduler
        self.active = True
        log.info("holding the scheduler lock: running %d job(s)", len(schedule.jobs))

    def _stop_jobs(self) -> None:
        self.processes.terminate_running()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self.active = False

    def _missed(self, event: JobEvent) -> None:
        log.warning("job %s missed its run time (beyond the misfire grace time)", event.job_id)

    def _execute(self, job: Job) -> None:
        if not self.active:
            return
        run_id = jobruns.start(self.store, job.name, job.kind, self.owner)
        started = time.monotonic()
        try:
            result = self.runner(job)
        except Exception as exc:  # a job never takes the scheduler down with it
            log.exception("job %s failed to run", job.name)
            result = JobResult("error", None, f"{type(exc).__name__}: {exc}")
        jobruns.finish(self.store, run_id, result.status, result.exit_code, result.output)
        log.info(
            "job %s: %s (exit %s) in %.1fs",
            job.name,
            result.status,
            result.exit_code,
            time.monotonic() - started,
        )

    def _run_subprocess(self, job: Job) -> JobResult:
        return self.processes.run(job_argv(job, self.config_path), job_timeout(job))

    def next_runs(self) -> list[tuple[str, datetime | None]]:
        """Each scheduled job with its next run time (empty on standby)."""
        if self._scheduler is None:
            return []
        return [(job.id, job.next_run_time) for job in self._scheduler.get_jobs()]

    # -- the process ------------------------------------------------------------------------

    def run_forever(self) -> None:
        """Hold or wait for the lock until ``stop_event`` is set; then stop cleanly."""
        interval = max(self.ttl / 3, 0.2)
        try:
            while not self.stop_event.is_set():
                try:
                    self.tick()
                except Exception:  # the store may be briefly unreachable: retry next beat
                    log.exception("scheduler heartbeat failed")
                self.stop_event.wait(interval)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self.processes.stop_all()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        if self.active:
            heartbeat.release(self.store, LOCK_NAME, self.owner)
        self.active = False
