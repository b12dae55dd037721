"""The scheduler service in-process, with a recording job runner."""

from __future__ import annotations

import threading
import time

from perfsight.config import Settings
from perfsight.config.schedule import Job
from perfsight.scheduler.jobs import JobResult
from perfsight.scheduler.service import LOCK_NAME, SchedulerService
from perfsight.services import wait_until
from perfsight.store import Store, heartbeat, jobruns


def _settings(ttl: str = "2s") -> Settings:
    return Settings(
        schedule={
            "lock_ttl": ttl,
            "jobs": [{"name": "tick", "kind": "prune", "every": "1s"}],
        }
    )


class Recorder:
    def __init__(self) -> None:
        self.calls: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, job: Job) -> JobResult:
        with self.lock:
            self.calls.append(time.time())
        if len(self.calls) == 2:
            raise RuntimeError("a job that blows up must not stop the scheduler")
        return JobResult("ok", 0, f"ran {job.name}")


def test_jobs_fire_and_one_instance_runs_them(sqlite_store: Store) -> None:
    first_calls, second_calls = Recorder(), Recorder()
    first = SchedulerService(_settings(), sqlite_store, runner=first_calls, owner="first")
    second = SchedulerService(_settings(), sqlite_store, runner=second_calls, owner="second")
    try:
        assert first.tick() is True
        assert second.tick() is False  # standby while the first is alive
        assert wait_until(lambda: len(first_calls.calls) >= 3, timeout=15)
        first.tick()
        assert second.tick() is False
        assert second_calls.calls == []
        runs = jobruns.recent(sqlite_store, job="tick")
        assert {r.owner for r in runs} == {"first"}
        assert "error" in {r.status for r in runs}  # the job that raised was recorded …
        assert "ok" in {r.status for r in runs}  # … and the next run still happened
        # The first instance stalls (no more heartbeats): after the TTL the second takes over.
        first._stop_jobs()
        assert wait_until(lambda: second.tick(), timeout=10, interval=0.5)
        assert wait_until(lambda: len(second_calls.calls) >= 1, timeout=10)
        # The first wakes up and finds its lock gone: it must not run jobs again.
        assert first.tick() is False
        held = heartbeat.current(sqlite_store, LOCK_NAME)
        assert held is not None and held.owner == "second"
        assert [j["name"] for j in held.info["jobs"]] == ["tick"]
    finally:
        first.shutdown()
        second.shutdown()
    held = heartbeat.current(sqlite_store, LOCK_NAME)
    assert held is not None and not held.alive()  # released on shutdown
