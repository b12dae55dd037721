"""`perfsight demo` end to end: it starts Redis, the sample API, Prometheus and the dashboard,
prints every URL (all reachable, Prometheus scraping the API), and SIGINT stops every process it
started — and only those."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from perfsight.services import free_port, port_open, wait_until

pytestmark = pytest.mark.slow
URL = re.compile(r"https?://127\.0\.0\.1:\d+\S*|redis://127\.0\.0\.1:\d+/\d+")


def _demo_env() -> dict[str, str]:
    # No configured Redis: the demo must start its own (and stop it).
    return {k: v for k, v in os.environ.items() if not k.startswith("PERFSIGHT_")}


def _start_demo(folder: Path) -> tuple[subprocess.Popen[bytes], dict[str, int], Path]:
    ports = {name: free_port() for name in ("api", "prometheus", "dashboard")}
    with (folder / "out.txt").open("wb") as out, (folder / "err.txt").open("wb") as err:
        demo = subprocess.Popen(
            [sys.executable, "-m", "perfsight", "demo", "--api-port", str(ports["api"]),
             "--prometheus-port", str(ports["prometheus"]),
             "--dashboard-port", str(ports["dashboard"]), "--smtp-ms", "10"],
            cwd=folder, stdout=out, stderr=err, env=_demo_env(), start_new_session=True,
        )  # fmt: skip
    stdout = folder / "out.txt"
    ready = wait_until(
        lambda: "Ctrl-C stops" in stdout.read_text() or demo.poll() is not None, timeout=120
    )
    if not ready or demo.poll() is not None:
        _stop(demo)
        raise AssertionError((folder / "err.txt").read_text())
    return demo, ports, stdout


def _stop(demo: subprocess.Popen[bytes]) -> int:
    if demo.poll() is None:
        os.kill(demo.pid, signal.SIGINT)
    try:
        return demo.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(demo.pid, signal.SIGKILL)
        raise


def test_demo_starts_everything_and_sigint_stops_it_all(tmp_path: Path) -> None:
    demo, ports, stdout = _start_demo(tmp_path)
    try:
        urls = {
            line.split("  ")[0].strip(): URL.search(line).group(0)  # type: ignore[union-attr]
            for line in stdout.read_text().splitlines()
            if URL.search(line) and "export" not in line
        }
        assert urls["sample API (before)"] == f"http://127.0.0.1:{ports['api']}/"
        assert urls["Prometheus"] == f"http://127.0.0.1:{ports['prometheus']}"
        assert urls["dashboard"] == f"http://127.0.0.1:{ports['dashboard']}"
        for name in ("sample API (before)", "API metrics", "Prometheus", "dashboard"):
            response = httpx.get(urls[name], timeout=10, follow_redirects=True)
            assert response.status_code == 200, name
        index = httpx.get(urls["sample API (before)"], timeout=10).json()
        assert index["mode"] == "before"
        example = next(
            e["example"] for e in index["endpoints"] if "itineraries/{id}" in e["endpoint"]
        )
        assert httpx.get(urls["sample API (before)"].rstrip("/") + example, timeout=30).is_success
        assert (tmp_path / ".perfsight/demo/system.profile.jsonl").stat().st_size > 0
        redis_port = int(urls["Redis"].rsplit(":", 1)[1].split("/")[0])
        assert port_open("127.0.0.1", redis_port)

        def scraped() -> bool:
            query = {"query": 'up{job="perfsight-target"}'}
            data = httpx.get(urls["Prometheus"] + "/api/v1/query", params=query, timeout=5).json()
            return [r["value"][1] for r in data["data"]["result"]] == ["1"]

        assert wait_until(scraped, timeout=30)
        children = psutil.Process(demo.pid).children(recursive=True)
        assert len(children) >= 4  # redis, API, prometheus, dashboard
    finally:
        code = _stop(demo)
    stderr = (tmp_path / "err.txt").read_text()
    assert code == 0, stderr
    assert "everything the demo started is down" in stderr
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    for port in (*ports.values(), redis_port):
        assert not port_open("127.0.0.1", port)


def test_a_service_that_dies_ends_the_demo(tmp_path: Path) -> None:
    demo, ports, _stdout = _start_demo(tmp_path)
    try:
        children = psutil.Process(demo.pid).children(recursive=True)
        (api,) = [c for c in children if "perfsight.demo.server" in " ".join(c.cmdline())]
        api.kill()
        code = demo.wait(timeout=60)
    finally:
        _stop(demo)
    assert code == 2
    assert "sample-api exited" in (tmp_path / "err.txt").read_text()
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not port_open("127.0.0.1", ports["dashboard"])


def test_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "perfsight", "demo", "--api-port", str(port)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_demo_env(),
        )  # fmt: skip
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "--api-port" in result.stderr and "Traceback" not in result.stderr
