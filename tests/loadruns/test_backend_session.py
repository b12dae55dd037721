"""The backend session: a failing or missing source degrades only itself (reported, its
thresholds not measured with the reason), and the processes watcher tells a saturated load
generator from a busy one — measured on real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from loadruns.backend.processes import ProcessWatch, local_listener
from loadruns.backend.session import BackendSession
from loadruns.observers import ObserverReport
from loadruns.result import Progress
from loadruns.verdict import Observation
from perfsight.errors import SourceUnavailable
from perfsight.thresholds import Threshold, parse_cli


class Answers:
    """A watcher measuring a fixed cache ratio (or failing where told)."""

    def __init__(self, name: str, ratio: float | None, fail_at: str | None = None) -> None:
        self.name = name
        self.ratio = ratio
        self.fail_at = fail_at
        self.ticks = 0

    def _maybe_fail(self, phase: str) -> None:
        if self.fail_at == phase:
            raise SourceUnavailable("no answer: connection refused", source=self.name)

    def start(self, run_id: str, started_at: float) -> None:
        self._maybe_fail("start")

    def tick(self, progress: Progress) -> None:
        self.ticks += 1
        self._maybe_fail("tick")

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        self._maybe_fail("finish")
        ratio = self.ratio

        class Metrics:
            def observe(self, threshold: Threshold) -> Observation | None:
                if threshold.metric != "cache_hit_ratio" or ratio is None:
                    return None
                return Observation(ratio, name)

        name = self.name
        return ObserverReport(metrics=Metrics(), section={"ratio": ratio})


def progress() -> Progress:
    return Progress("r", 1.0, 5.0, 1, 10, 0, 10.0, 5.0)


def drive(session: BackendSession) -> ObserverReport:
    session.start("r", 0.0)
    for _ in range(3):
        session.tick(progress())
    return session.finish(0.0, 3.0)


def observe(report: ObserverReport, text: str) -> Observation | None:
    assert report.metrics is not None
    return report.metrics.observe(parse_cli(text))


def test_sources_answer_in_order_and_a_failed_one_is_reported() -> None:
    app, down = Answers("prometheus", 0.9), Answers("redis", 0.4, fail_at="tick")
    session = BackendSession([app, down], {"profiler": "set [mongo] profile_files"})
    report = drive(session)
    assert observe(report, "cache_hit_ratio=value>0.7") == Observation(0.9, "prometheus")
    assert down.ticks == 1  # a watcher that failed is not called again
    assert report.section["sources"] == {
        "profiler": "not configured: set [mongo] profile_files",
        "prometheus": "measured",
        "redis": "failed during the run: redis: no answer: connection refused",
    }
    assert report.warnings == ("redis failed during the run: redis: no answer: connection refused",)
    missing = observe(report, "n_plus_one=count==0")
    assert missing is not None and missing.value is None
    assert missing.detail == "profiler not configured: set [mongo] profile_files"
    assert observe(report, "http_req_duration=p(95)<1") is None  # the load generator's


def test_a_metric_whose_sources_all_failed_is_not_measured_with_their_reasons() -> None:
    session = BackendSession(
        [Answers("prometheus", None), Answers("redis", 0.4, fail_at="start")], {}
    )
    report = drive(session)
    missing = observe(report, "cache_hit_ratio=value>0.7")
    assert missing is not None and missing.value is None
    assert missing.detail == (
        "prometheus measured, but had nothing on it in the run's window; redis failed at the "
        "start: redis: no answer: connection refused"
    )


@pytest.fixture
def busy_process() -> Iterator[subprocess.Popen[bytes]]:
    """A process spinning one core, as a saturated Locust process does."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_generator_spinning_a_core_is_saturated(busy_process: subprocess.Popen[bytes]) -> None:
    watch = ProcessWatch(target_url="http://203.0.113.9:80", saturation_pct=30.0)
    watch.start("r", time.time())
    for _ in range(5):
        time.sleep(0.4)
        watch.tick(Progress("r", 1.0, 5.0, 1, 10, 0, 10.0, 5.0, generator_pid=busy_process.pid))
    report = watch.finish(0.0, 2.0)
    assert report.section["generator_saturated"] is True
    assert report.section["generator"]["busiest_pid"] == busy_process.pid
    assert report.warnings and report.warnings[0].startswith("load generator saturated")
    assert set(report.caveats) == {"http_reqs", "http_req_duration"}
    # The target's host is not this machine: not measured, and why.
    assert report.section["target"] == {
        "measured": False,
        "reason": "the target (203.0.113.9) runs on another machine",
    }


def test_an_idle_generator_is_not_saturated() -> None:
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        watch = ProcessWatch(target_url="http://127.0.0.1:1", saturation_pct=30.0)
        watch.start("r", time.time())
        for _ in range(4):
            time.sleep(0.2)
            watch.tick(Progress("r", 1.0, 5.0, 1, 10, 0, 10.0, 5.0, generator_pid=idle.pid))
        report = watch.finish(0.0, 1.0)
    finally:
        idle.kill()
        idle.wait(timeout=10)
    assert report.section["generator_saturated"] is False and not report.caveats
    assert report.section["generator"]["cpu_max_pct"] < 30
    assert local_listener("http://127.0.0.1:1") == (
        None,
        "no process of this machine listens on port 1",
    )
