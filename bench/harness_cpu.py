"""What the harness itself burns: the listener's work per request inside Locust, and the CPU of
the ``perfsight loadcheck`` process beside Locust during a run.

    .venv/bin/python bench/harness_cpu.py [--requests 200000] [--users 20] [--seconds 10]

The listener is timed in a process of its own (importing it imports locust, which
monkey-patches the process with gevent). The perfsight process is a real ``perfsight
loadcheck`` against the tests' latency app (no sleep); its own CPU time (children excluded) is
read with psutil until it exits, start-up included.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import AppServer  # noqa: E402

LISTENER = """
import sys, time, types
import loadruns.locust_listener as listener
recorder = listener.Recorder(types.SimpleNamespace(runner=None), {"allowed_hosts": []})
n = int(sys.argv[1])
started = time.perf_counter()
for i in range(n):
    recorder.on_request("GET", "GET /a", 5.0 + i % 50, None, None, "http://127.0.0.1:8000/a")
print((time.perf_counter() - started) / n * 1e6)
"""


def listener_us(requests: int) -> float:
    done = subprocess.run(
        [sys.executable, "-c", LISTENER, str(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return float(done.stdout.strip())


def harness_cpu(users: int, seconds: int) -> tuple[float, float, float]:
    app = AppServer("tests.support.latency_app", "--route", "/a=0")
    try:
        with tempfile.TemporaryDirectory(prefix="perfsight-bench-") as tmp:
            folder = Path(tmp)
            config = folder / "perfsight.toml"
            config.write_text(
                f'[store]\nurl = "sqlite:///{folder / "b.db"}"\n'
                f'[target]\nbase_url = "{app.url}"\n[[load.scenario]]\npath = "/a"\n'
            )
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "perfsight", "loadcheck", "--config", str(config),
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                    "--profile", "none", "--json", str(folder / "run.json"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            watched = psutil.Process(process.pid)
            used = 0.0
            while process.poll() is None:
                try:
                    times = watched.cpu_times()
                    used = times.user + times.system
                except psutil.Error:
                    break
                time.sleep(0.2)
            document = json.loads((folder / "run.json").read_text())
            return used, float(document["totals"]["rps"]), float(document["duration_s"])
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    per_request = listener_us(args.requests)
    print(f"listener: {per_request:.2f} µs per request inside Locust")
    used, rps, duration = harness_cpu(args.users, args.seconds)
    print(
        f"perfsight process: {used:.2f} s of CPU for a {duration:.1f} s run at {rps:,.0f} req/s "
        f"(start-up included); listener at that rate: {per_request * rps / 1e4:.2f} % of a core; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
