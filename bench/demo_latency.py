"""Benchmark of the sample API: start-up time, latency of each planted endpoint in before and
after mode (sequential requests), and a short Locust run per mode.

    .venv/bin/python bench/demo_latency.py [--requests 30] [--users 10] [--run-time 20s]

Uses the machine's Redis (127.0.0.1:6379) with a key prefix of its own; writes Locust's CSV to
bench/out/. Prints Markdown tables (copied into bench/README.md).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from perfsight.demo.process import SampleApi
from perfsight.demo.seed import object_id

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/0"
PATHS = {
    "GET /api/itineraries/{id}": f"/api/itineraries/{object_id('itineraries', 0)}",
    "GET /api/bookings": "/api/bookings",
    "GET /api/leads": "/api/leads?status=new&limit=20",
    "GET /api/rate-lists/{id}/prices": f"/api/rate-lists/{object_id('rate_lists', 0)}/prices",
    "POST /api/quotes": "",
}
QUOTE = {"leadId": str(object_id("leads", 0)), "itineraryId": str(object_id("itineraries", 0))}


def start(mode: str, size: str, folder: Path) -> tuple[SampleApi, float]:
    api = SampleApi(
        mode=mode,  # type: ignore[arg-type]
        size=size,
        profile_file=folder / f"{mode}-{size}.jsonl",
        redis_url=REDIS,
        redis_prefix=f"perfsight-bench:{uuid.uuid4().hex[:8]}:",
    )
    began = time.perf_counter()
    api.start()
    return api, time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sequential(api: SampleApi, requests: int) -> dict[str, tuple[float, float]]:
    results = {}
    with httpx.Client(base_url=api.url, timeout=60) as client:
        for key, path in PATHS.items():
            times = []
            for _ in range(requests if path else max(3, requests // 5)):
                began = time.perf_counter()
                response = client.post("/api/quotes", json=QUOTE) if not path else client.get(path)
                times.append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
            results[key] = (statistics.median(times), percentile(times, 0.95))
    return results


def locust(api: SampleApi, users: int, run_time: str, out: Path) -> dict[str, str]:
    prefix = out / f"locust-{api.mode}"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/demo_locustfile.py"),
         "--headless", "-u", str(users), "-r", str(users), "-t", run_time, "-H", api.url,
         "--csv", str(prefix), "--only-summary", "--exit-code-on-error", "0"],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return rows["Aggregated"] | {"_rows": rows}  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--run-time", default="20s")
    args = parser.parse_args()
    out = ROOT / "bench/out"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| size | mode | start-up (s) |\n|---|---|---|")
        for size in ("small", "large"):
            for mode in ("before", "after"):
                api, seconds = start(mode, size, folder)
                api.stop()
                print(f"| {size} | {mode} | {seconds:.1f} |")
        print("\n| endpoint | before median / p95 (ms) | after median / p95 (ms) |\n|---|---|---|")
        results = {}
        for mode in ("before", "after"):
            api, _ = start(mode, "small", folder)
            try:
                latency = sequential(api, args.requests)
                results[mode] = (latency, locust(api, args.users, args.run_time, out))
            finally:
                api.stop()
        for key in PATHS:
            b, a = results["before"][0][key], results["after"][0][key]
            print(f"| `{key}` | {b[0]:.1f} / {b[1]:.1f} | {a[0]:.1f} / {a[1]:.1f} |")
        print(f"\nLocust, {args.users} users, {args.run_time}, bench/demo_locustfile.py:\n")
        print("| mode | endpoint | requests | failures | median (ms) | p95 (ms) | req/s |")
        print("|---|---|---|---|---|---|---|")
        for mode in ("before", "after"):
            rows = results[mode][1]["_rows"]  # type: ignore[index]
            for name, row in rows.items():
                rps = float(row["Requests/s"])
                print(f"| {mode} | {name} | {row['Request Count']} | {row['Failure Count']} | "
                      f"{row['50%']} | {row['95%']} | {rps:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
