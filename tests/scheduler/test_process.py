"""`perfsight schedule` as real processes: jobs fire, a second scheduler stands by, takes over
after the first is killed with SIGKILL once the heartbeat expires, and SIGTERM stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfsight.scheduler.service import LOCK_NAME
from perfsight.services import wait_until
from perfsight.store import Store, heartbeat, jobruns


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "perfsight.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "store.db"}"\n'
        '[schedule]\nlock_ttl = "3s"\n'
        '[[schedule.jobs]]\nname = "prune"\nkind = "prune"\nevery = "1s"\n'
        'args = { older_than = "30d" }\n'
    )
    return path


@pytest.fixture
def schedulers(config: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _start(config: Path, started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "perfsight", "--config", str(config), "schedule"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started.append(process)
    return process


def _runs_by(store: Store, pid: int) -> list[jobruns.JobRun]:
    return [r for r in jobruns.recent(store, limit=500) if f":{pid}:" in r.owner]


def test_takeover_after_kill_and_clean_sigterm(
    config: Path, schedulers: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    first = _start(config, schedulers)
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert wait_until(lambda: len(_runs_by(store, first.pid)) >= 2, timeout=60)
        assert all(r.status == "ok" for r in _runs_by(store, first.pid) if r.ended_at)
        second = _start(config, schedulers)
        time.sleep(4)  # longer than the TTL: the first is alive, so the second must wait
        assert _runs_by(store, second.pid) == []
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.time()
        assert wait_until(lambda: len(_runs_by(store, second.pid)) >= 1, timeout=30)
        assert time.time() - killed_at < 20
        os.killpg(second.pid, signal.SIGTERM)
        assert second.wait(timeout=60) == 0
        held = heartbeat.current(store, LOCK_NAME)
        assert held is not None and f":{second.pid}:" in held.owner and not held.alive()
    finally:
        store.close()


def test_no_jobs_or_bad_cron_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "perfsight.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "s.db"}"\n')
    run = [sys.executable, "-m", "perfsight", "--config", str(config), "schedule"]
    result = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "schedule.jobs" in result.stderr
    config.write_text(
        '[[schedule.jobs]]\nname = "weekly"\nkind = "loadcheck"\ncron = "0 6 * * 9"\n'
    )
    result = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "schedule.jobs.0.cron" in result.stderr and "'0 6 * * 9'" in result.stderr
