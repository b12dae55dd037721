"""2 Locust workers against 1: what ``--workers 2`` buys on this machine.

    .venv/bin/python bench/workers.py [--pairs 3] [--users 40] [--seconds 10]

The target is the tests' latency app with no sleep (the cheapest request there is), so the
generator is what limits. Runs alternate (``--workers 1``, ``--workers 2``, …) through
``perfsight loadcheck``; medians of req/s and of the generator's CPU (all its processes, in %
of one core). On a machine with fewer free cores than workers + the target, the workers and the
target share the same cores: the gain is bounded by what is left.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import AppServer  # noqa: E402


def run(folder: Path, url: str, workers: int, users: int, seconds: int) -> tuple[float, float]:
    out = folder / f"w{workers}.json"
    config = folder / "perfsight.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{folder / "bench.db"}"\n'
        f'[target]\nbase_url = "{url}"\n[[load.scenario]]\npath = "/a"\n'
    )
    subprocess.run(
        [
            sys.executable, "-m", "perfsight", "loadcheck", "--config", str(config),
            "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--workers", str(workers),
            "--profile", "none", "--json", str(out),
        ],
        check=True,
        capture_output=True,
        timeout=seconds + 90,
    )  # fmt: skip
    document = json.loads(out.read_text())
    generator = document["sections"]["backend"]["processes"]["generator"]
    return float(document["totals"]["rps"]), float(generator["cpu_avg_pct"] or 0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    os.chdir(ROOT)
    app = AppServer("tests.support.latency_app", "--route", "/a=0")
    figures: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    try:
        with tempfile.TemporaryDirectory(prefix="perfsight-bench-") as tmp:
            for pair in range(args.pairs):
                for workers in (1, 2):
                    rps, cpu = run(Path(tmp), app.url, workers, args.users, args.seconds)
                    figures[workers].append((rps, cpu))
                    print(
                        f"pair {pair + 1}, {workers} worker(s): {rps:.1f} req/s, generator "
                        f"{cpu:.0f} % of a core; load average {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
    finally:
        app.stop()
    medians = {
        w: (statistics.median(r for r, _ in rows), statistics.median(c for _, c in rows))
        for w, rows in figures.items()
    }
    print(
        f"\nmedians: 1 worker {medians[1][0]:.1f} req/s (generator {medians[1][1]:.0f} %), "
        f"2 workers {medians[2][0]:.1f} req/s (generator {medians[2][1]:.0f} %): "
        f"×{medians[2][0] / medians[1][0]:.2f}; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
