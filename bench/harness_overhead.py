"""What perfsight costs the load generator: req/s of ``perfsight loadcheck`` against raw
``locust --headless``, the same locustfile and target, alternating runs, medians.

    .venv/bin/python bench/harness_overhead.py [--pairs 5] [--users 10] [--seconds 10]

The target is the tests' latency app (``tests/support/latency_app.py``) on loopback with a
fixed 5 ms sleep per request. Raw Locust's figure is the ``Aggregated`` row's ``Requests/s`` of
its CSV (total_rps); perfsight's is its JSON ``totals.rps`` (the same definition). Runs
alternate (raw, perfsight, raw, …) so a drift of the machine's load hits both; the overhead is
1 − median(perfsight) / median(raw). The goal: at most 5 %.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import AppServer  # noqa: E402

LOCUSTFILE = """\
from locust import FastHttpUser, task


class Visitor(FastHttpUser):
    @task
    def a(self):
        self.client.get("/a", name="GET /a")
"""


def raw_locust(folder: Path, url: str, users: int, seconds: int) -> float:
    prefix = folder / "raw"
    subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(folder / "lf.py"), "--headless",
            "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "-H", url,
            "--only-summary", "--csv", str(prefix), "--exit-code-on-error", "0",
        ],
        check=True,
        capture_output=True,
        timeout=seconds + 60,
    )  # fmt: skip
    with Path(f"{prefix}_stats.csv").open() as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return float(rows["Aggregated"]["Requests/s"])


def harness(folder: Path, url: str, users: int, seconds: int) -> tuple[float, dict[str, float]]:
    out = folder / "run.json"
    config = folder / "perfsight.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{folder / "bench.db"}"\n')
    subprocess.run(
        [
            sys.executable, "-m", "perfsight", "loadcheck", "--config", str(config),
            "-f", str(folder / "lf.py"), "-H", url, "-u", str(users), "-r", str(users),
            "-t", f"{seconds}s", "--profile", "none", "--json", str(out),
        ],
        check=True,
        capture_output=True,
        timeout=seconds + 90,
    )  # fmt: skip
    document = json.loads(out.read_text())
    processes = document["sections"]["backend"]["processes"]
    cpu = {
        "generator_cpu": processes["generator"]["cpu_avg_pct"],
        "target_cpu": processes["target"].get("cpu_avg_pct") or 0.0,
    }
    return float(document["totals"]["rps"]), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--sleep-ms", type=float, default=5.0)
    args = parser.parse_args()
    os.chdir(ROOT)
    app = AppServer("tests.support.latency_app", "--route", f"/a={args.sleep_ms:g}")
    raw, mine, cpu = [], [], []
    try:
        with tempfile.TemporaryDirectory(prefix="perfsight-bench-") as tmp:
            folder = Path(tmp)
            (folder / "lf.py").write_text(LOCUSTFILE)
            for pair in range(args.pairs):
                raw.append(raw_locust(folder, app.url, args.users, args.seconds))
                rps, usage = harness(folder, app.url, args.users, args.seconds)
                mine.append(rps)
                cpu.append(usage)
                print(
                    f"pair {pair + 1}: raw {raw[-1]:.1f} req/s, perfsight {mine[-1]:.1f} req/s "
                    f"(generator {usage['generator_cpu']:.0f} %, target "
                    f"{usage['target_cpu']:.0f} % of a core); load average "
                    f"{os.getloadavg()[0]:.2f}",
                    flush=True,
                )
                time.sleep(1)
    finally:
        app.stop()
    raw_median, mine_median = statistics.median(raw), statistics.median(mine)
    print(
        f"\nmedian raw locust: {raw_median:.1f} req/s; median perfsight loadcheck: "
        f"{mine_median:.1f} req/s; overhead {1 - mine_median / raw_median:+.1%} "
        f"(goal ≤ 5 %); generator CPU median "
        f"{statistics.median(c['generator_cpu'] for c in cpu):.0f} % of a core; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
