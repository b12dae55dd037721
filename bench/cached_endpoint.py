"""The highest req/s ``perfsight loadcheck`` sustains against the sample API's cached endpoint
(``GET /api/rate-lists/{id}/prices`` in ``after`` mode: served from Redis), with its p95 and the
CPU of the generator and of the API.

    .venv/bin/python bench/cached_endpoint.py [--users 2,4,8,16,32] [--seconds 10] [--workers 0]

Each step is a ``perfsight loadcheck`` run of its own (a subprocess, as in CI) with the backend
watched (a Prometheus and a Redis of the benchmark's own). "Sustained": no failed request and a
p95 under 500 ms (the plan's targets). The plan's throughput target is 500 req/s; on one machine
the generator and the API share the cores, so the figure is a floor for the API alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfsight.demo.process import SampleApi  # noqa: E402
from perfsight.demo.seed import TENANTS, object_id, tenant_of  # noqa: E402
from perfsight.services import PrometheusServer, RedisServer  # noqa: E402


def config(folder: Path, api: SampleApi, prometheus: str, redis_url: str) -> Path:
    lists = [i for i in range(30) if tenant_of(i) == TENANTS[0]][:10]
    ids = ", ".join(f'"{object_id("rate_lists", i)}"' for i in lists)
    path = folder / "perfsight.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{folder / "bench.db"}"\n'
        f'[redis]\nurl = "{redis_url}"\n'
        f'[prometheus]\nurl = "{prometheus}"\n'
        f'[target]\nbase_url = "{api.url}"\n'
        "[[load.scenario]]\n"
        'path = "/api/rate-lists/{id}/prices"\n'
        f"values = {{ id = [{ids}] }}\n"
    )
    return path


def step(config_path: Path, users: int, seconds: int, workers: int) -> dict[str, Any]:
    out = config_path.parent / f"u{users}.json"
    subprocess.run(
        [
            sys.executable, "-m", "perfsight", "loadcheck", "--config", str(config_path),
            "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--workers", str(workers),
            "--profile", "none", "--threshold", "cache_hit_ratio=value>0.7", "--json", str(out),
        ],
        check=False,
        capture_output=True,
        timeout=seconds + 120,
    )  # fmt: skip
    document = json.loads(out.read_text())
    backend = document["sections"]["backend"]
    processes = backend["processes"]
    totals = document["totals"]
    return {
        "users": users,
        "rps": totals["rps"],
        "p95": totals["p95_ms"],
        "failures": totals["failures"],
        "generator_cpu": processes["generator"].get("cpu_avg_pct"),
        "target_cpu": processes["target"].get("cpu_avg_pct"),
        "saturated": processes.get("generator_saturated"),
        "cache": document["thresholds"][0]["observed"],
        "machine_busy": processes["machine"]["cpu_avg_pct"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="2,4,8,16,32")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="perfsight-bench-") as tmp:
        folder = Path(tmp)
        with RedisServer().start() as redis:
            api = SampleApi(
                mode="after", profile_file=folder / "profile.jsonl", redis_url=redis.url
            ).start()
            prometheus = PrometheusServer([api.url.removeprefix("http://")])
            try:
                prometheus.start()
                prometheus.wait_for_scrape(30)
                path = config(folder, api, prometheus.url, redis.url)
                results = []
                for users in (int(u) for u in args.users.split(",")):
                    row = step(path, users, args.seconds, args.workers)
                    results.append(row)
                    print(
                        f"{users:>3} users: {row['rps']:8.1f} req/s  p95 {row['p95']:6.0f} ms  "
                        f"failures {row['failures']}  generator {row['generator_cpu']} %  "
                        f"API {row['target_cpu']} % of a core  machine {row['machine_busy']} % "
                        f"busy  cache hit {row['cache']:.1%}  load avg {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
            finally:
                prometheus.stop()
                api.stop()
    sustained = [r for r in results if not r["failures"] and r["p95"] < 500]
    if sustained:
        best = max(sustained, key=lambda r: r["rps"])
        print(
            f"\nhighest sustained: {best['rps']:.1f} req/s at {best['users']} users, p95 "
            f"{best['p95']:.0f} ms, generator {best['generator_cpu']} % and API "
            f"{best['target_cpu']} % of a core (plan's target: 500 req/s)"
        )


if __name__ == "__main__":
    main()
