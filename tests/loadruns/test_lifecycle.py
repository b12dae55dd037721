"""A run's life in the store when its process dies or is stopped: ``kill -9`` leaves an
``aborted`` run with its partial results after the next start; a stop from another process
(SIGTERM, as the dashboard sends) ends it ``aborted`` with its results so far."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from loadruns import LoadOptions, start_detached, stop_run
from perfsight.cli.main import main
from perfsight.services import wait_until
from perfsight.store import Store, runs
from tests.loadruns.conftest import ConfigWriter, Reaper, scenario_toml

pytestmark = pytest.mark.slow


def _running_with_rows(store: Store) -> runs.RunRecord | None:
    """The running run once it has recorded a few seconds: series rows, endpoint figures and a
    partial summary with requests in it (written every second or two; slower on a busy box)."""
    for record in runs.list_runs(store, status="running"):
        totals = (record.summary or {}).get("totals") or {}
        if (
            len(runs.series(store, record.id)) >= 2
            and runs.endpoint_stats(store, record.id)
            and (totals.get("requests") or 0) > 0
        ):
            return record
    return None


def test_kill_9_of_the_runner_leaves_an_aborted_run_with_partial_results(
    latency_server_factory: Any, write_config: ConfigWriter, tmp_path: Path, reaper: Reaper
) -> None:
    server = latency_server_factory("/a=5")
    settings = write_config(scenario_toml(server.url, ("/a", 1), users=2, run_time="60s"))
    runner = subprocess.Popen(
        [sys.executable, "-m", "perfsight", "loadcheck", "--profile", "none"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    reaper.add(runner.pid)
    with Store(settings.store.url) as store:
        assert wait_until(lambda: _running_with_rows(store) is not None, timeout=60)
        record = _running_with_rows(store)
        assert record is not None and record.pid == runner.pid
        reaper.add_run_generator(record.summary)
        generator_pid = (record.summary or {})["generator"]["pid"]
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait(timeout=10)

        # Locust notices its runner is gone and stops by itself: no load left running.
        assert wait_until(
            lambda: (
                not psutil.pid_exists(generator_pid)
                or psutil.Process(generator_pid).status() == psutil.STATUS_ZOMBIE
            ),
            timeout=20,
        )
        assert runs.get_run(store, record.id).status == "running"  # type: ignore[union-attr]

        # The next start marks it aborted, keeping what it had recorded.
        assert main(["loadcheck", "--profile", "none", "-t", "1s"]) == 0
        aborted = runs.get_run(store, record.id)
        assert aborted is not None and aborted.status == "aborted"
        assert "stopped before it finished" in (aborted.error or "")
        assert aborted.summary is not None and aborted.summary["partial"] is True
        assert aborted.summary["totals"]["requests"] > 0
        stats = {row["endpoint"]: row for row in runs.endpoint_stats(store, record.id)}
        assert stats["GET /a"]["requests"] > 0 and stats["GET /a"]["p95_ms"] is not None
        assert len(runs.series(store, record.id)) >= 2


def test_a_detached_run_stopped_from_another_process_ends_aborted(
    latency_server_factory: Any, write_config: ConfigWriter, tmp_path: Path, reaper: Reaper
) -> None:
    server = latency_server_factory("/a=5")
    settings = write_config(scenario_toml(server.url, ("/a", 1), users=2, run_time="60s"))
    detached = start_detached(
        LoadOptions(profile="none", label="from the dashboard"),
        config=tmp_path / "perfsight.toml",
        settings=settings,
        log_path=tmp_path / "run.log",
    )
    reaper.add(detached.pid)
    with Store(settings.store.url) as store:
        assert wait_until(lambda: _running_with_rows(store) is not None, timeout=60)
        record = runs.get_run(store, detached.run_id)
        assert record is not None and record.label == "from the dashboard"
        reaper.add_run_generator(record.summary)
        assert stop_run(store, detached.run_id)
        assert detached.process.wait(timeout=30) == 2
        stopped = runs.get_run(store, detached.run_id)
        assert stopped is not None and stopped.status == "aborted"
        assert stopped.summary is not None and stopped.summary["aborted_by"] == "interrupted"
        assert stopped.summary["totals"]["requests"] > 0
        assert not stop_run(store, detached.run_id)  # not running any more
    assert "ABORTED" in (tmp_path / "run.log").read_text()
