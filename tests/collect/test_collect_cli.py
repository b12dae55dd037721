"""`perfsight collect`: --once prints what each source gave and stores it; the continuous
collector keeps sampling Redis while Prometheus is down, names the outage, and stops cleanly
on SIGTERM/SIGINT with its last sample stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfsight.cli.main import main
from perfsight.services import PrometheusServer, RedisServer, free_port, wait_until
from perfsight.store import Store
from perfsight.store.samples import cache_history, latency_history, redis_history
from perfsight.store.source_health import source_health
from tests.collect.conftest import LoadedTarget

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_perfsight_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The caller's PERFSIGHT_* variables would override the test's config (here and in the
    # collectors started as subprocesses, which inherit the environment).
    for name in [n for n in os.environ if n.startswith("PERFSIGHT_")]:
        monkeypatch.delenv(name)


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "perfsight.toml"
    path.write_text(body + f'\n[store]\nurl = "sqlite:///{tmp_path / "store.db"}"\n')
    return path


def test_once_prints_and_stores_each_source(
    tmp_path: Path, loaded: LoadedTarget, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    config = write_config(
        tmp_path,
        f'[redis]\nurl = "{redis_url}"\ninstances = {{ gone = "{gone}" }}\n'
        f'[prometheus]\nurl = "{loaded.prometheus.url}"\nrate_window = "10m"\n'
        f"selector = '{loaded.instance('perfsight')}'\n",
    )
    assert main(["--config", str(config), "collect", "--once"]) == 2  # a source is down
    first = capsys.readouterr().out
    assert "redis:main" in first and "first sample" in first
    assert "redis:gone" in first and "DOWN" in first and "hunter2" not in first
    assert "GET /fast" in first and "(60–75)" in first  # p50/p95/p99 with their bucket
    assert "app_metrics" in first and "items" in first

    # A second run starts from the counters the first stored: it has a Redis window.
    assert main(["--config", str(config), "collect", "--once"]) == 2
    second = capsys.readouterr().out
    assert "redis_info" in second and "hit ratio" in second

    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        assert len(redis_history(store, instance="main")) == 2
        assert {c.source for c in cache_history(store)} == {"redis_info", "app_metrics"}
        assert latency_history(store, endpoint="GET /fast")
        health = {h.name: h for h in source_health(store)}
        assert health["redis:gone"].failures == 1 and "hunter2" not in (
            health["redis:gone"].target or ""
        )
        assert health["prometheus"].ok and health["redis:main"].ok


def test_nothing_configured_or_a_bad_interval_exits_2(
    tmp_path: Path, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "")
    assert main(["--config", str(config), "collect", "--once"]) == 2
    assert "nothing to collect" in capsys.readouterr().err
    config = write_config(tmp_path, f'[redis]\nurl = "{redis_url}"\n')
    assert main(["--config", str(config), "collect", "--every", "soon"]) == 2
    assert "--every" in capsys.readouterr().err
    assert main(["--config", str(config), "collect", "--every", "0s"]) == 2


def _start(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "perfsight", "--config", str(config), "collect", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    os.kill(process.pid, sig)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate(timeout=10)
    return process.returncode, err


def test_prometheus_outage_while_collecting(tmp_path: Path, private_redis: RedisServer) -> None:
    prometheus = PrometheusServer().start()
    config = write_config(
        tmp_path,
        f'[redis]\nurl = "{private_redis.url}"\n'
        f'[prometheus]\nurl = "{prometheus.url}"\ntimeout = "2s"\n'
        '[collect]\nmax_backoff = "1s"\n',
    )
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    process = _start(config, "--every", "300ms")

    def health(name: str) -> object:
        return next((h for h in source_health(store) if h.name == name), None)

    def redis_samples() -> int:
        return len(redis_history(store, instance="main"))

    try:
        assert wait_until(lambda: getattr(health("prometheus"), "ok", False), timeout=30)
        prometheus.stop()
        assert wait_until(lambda: getattr(health("prometheus"), "failures", 0) >= 2, timeout=30)
        during_outage = redis_samples()
        assert wait_until(lambda: redis_samples() >= during_outage + 3, timeout=30)
        assert getattr(health("redis:main"), "ok", False)
        signalled = time.time()
        code, err = _stop(process, signal.SIGTERM)
    finally:
        prometheus.stop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=10)
    assert code == 0, err
    assert "prometheus" in err and "DOWN" in err and prometheus.url in err
    assert "SIGTERM: stopping after one last sample" in err
    assert "the last one is stored" in err
    history = redis_history(store, instance="main")
    assert history[-1].ts >= signalled  # the last sample, taken on stop, is stored
    assert all(c.ratio is None or 0 <= c.ratio <= 1 for c in cache_history(store))
    store.close()


def test_sigint_stops_cleanly(tmp_path: Path, private_redis: RedisServer) -> None:
    config = write_config(tmp_path, f'[redis]\nurl = "{private_redis.url}"\n')
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    process = _start(config, "--every", "10s", "--quiet")
    try:
        assert wait_until(lambda: len(redis_history(store)) == 1, timeout=30)
        signalled = time.time()
        code, err = _stop(process, signal.SIGINT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=10)
    assert code == 0, err
    history = redis_history(store)
    # Stopped in the middle of a 10 s wait: one more sample, now, not ten seconds later.
    assert len(history) == 2 and history[-1].ts >= signalled
    assert history[-1].window_start == history[0].ts
    store.close()
