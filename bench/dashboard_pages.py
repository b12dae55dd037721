"""How long each dashboard page takes to render with a large store: the shape stats of 1 M
query events, 100 stored load runs, a day of collected samples, findings and reports.

    .venv/bin/python bench/dashboard_pages.py --events 1000000 --runs 100

Each page is rendered through Streamlit's AppTest (the page script run in this process, as the
server runs it for a browser) — cold (first render after the store was opened) and then
``--repeat`` more times; the time is the whole script run: store reads, data shaping, charts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from analyzers.shapes import ShapeStats  # noqa: E402
from collectors.records import (  # noqa: E402
    CacheSample,
    LatencySample,
    PrometheusSample,
    QuantileEstimate,
)
from perfsight.models import Finding, QueryEvent  # noqa: E402
from perfsight.store import Store, findings, runs  # noqa: E402
from perfsight.store.runs import SeriesRow  # noqa: E402
from perfsight.store.samples import write_samples  # noqa: E402
from perfsight.store.shapes import save_shape_stats  # noqa: E402
from perfsight.thresholds import parse_expression  # noqa: E402
from tests.dashboard import seed  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
PAGES = [
    "overview.py",
    "queries.py",
    "findings.py",
    "cache.py",
    "latency.py",
    "load_runs.py",
    "reports.py",
]
ENDPOINTS = [f"GET /api/r{i}/{{id}}" for i in range(6)]


def shape_stats(store: Store, events: int, shapes: int, now: float, uniform: bool) -> int:
    """``events`` query events over the last 7 days, hourly buckets, ``shapes`` shapes."""
    rng = random.Random(7)
    stats = ShapeStats(bucket_seconds=3600)
    start = now - 7 * 86400
    step = 7 * 86400 / events
    fingerprints = [
        (f"travel.c{k % 20}", f'db.c{k % 20}.find({{"f{k}":"?","s":"?"}}).sort({{"t":-1}})')
        for k in range(shapes)
    ]
    for i in range(events):
        pick = i % shapes if uniform else int(rng.paretovariate(1.2)) % shapes
        namespace, fingerprint = fingerprints[pick]
        examined = rng.randint(0, 5000)
        stats.feed(
            QueryEvent(
                ts=datetime.fromtimestamp(start + i * step, UTC),
                op="query",
                namespace=namespace,
                command_name="find",
                fingerprint=fingerprint,
                millis=float(int(rng.expovariate(1 / 20))),
                docs_examined=examined,
                keys_examined=examined // 2,
                nreturned=rng.randint(0, 50),
                plan_summary="COLLSCAN" if examined > 2500 else "IXSCAN { f: 1 }",
                has_sort_stage=examined > 4000,
            )
        )
    return save_shape_stats(store, stats.buckets(), source="bench")


def load_runs(store: Store, count: int, now: float) -> None:
    rng = random.Random(11)
    for n in range(count):
        started = now - (count - n) * 3600
        run_id = runs.create_run(
            store,
            target="http://127.0.0.1:8000",
            settings={"planned_duration_s": 60},
            tags={"env": "bench"},
            now=started,
        )
        stats: list[dict[str, Any]] = []
        for endpoint in [*ENDPOINTS, "Total"]:
            p95 = rng.uniform(50, 900)
            stats.append(
                {
                    "endpoint": endpoint,
                    "requests": 3000,
                    "failures": rng.randint(0, 30),
                    "avg_ms": p95 / 2,
                    "min_ms": 2.0,
                    "med_ms": p95 / 3,
                    "p90_ms": p95 * 0.9,
                    "p95_ms": p95,
                    "p99_ms": p95 * 1.3,
                    "max_ms": p95 * 2,
                    "rps": rng.uniform(40, 600),
                }
            )
        runs.put_endpoint_stats(store, run_id, stats)
        runs.append_series(
            store,
            run_id,
            [
                SeriesRow(started + s, e, rng.randint(40, 600), 0, rng.uniform(50, 900), 50)
                for s in range(60)
                for e in [*ENDPOINTS, "Total"]
            ],
        )
        outcomes = [
            parse_expression("http_req_duration", "p(95)<500").evaluate(stats[-1]["p95_ms"]),
            parse_expression("http_reqs", "rate>500").evaluate(stats[-1]["rps"]),
            parse_expression("cache_hit_ratio", "value>0.70").evaluate(rng.uniform(0.4, 0.9)),
            parse_expression("db_queries_per_request", "avg<=5").evaluate(rng.uniform(2, 30)),
        ]
        runs.put_outcomes(store, run_id, [o.to_dict() for o in outcomes])
        status = "passed" if all(o.passed for o in outcomes) else "failed"
        runs.finish_run(store, run_id, status, now=started + 61)


def samples(store: Store, now: float, every: float = 15.0) -> None:
    """A day of ``perfsight collect`` every 15 s: Redis and app cache windows, latency."""
    batch: list[object] = []
    t = now - 86400
    while t < now:
        batch.append(CacheSample("redis_info", "main", t - every, t, 700.0, 300.0))
        q = (
            QuantileEstimate(0.5, 40.0, 30.0, 50.0),
            QuantileEstimate(0.95, 180.0, 100.0, 300.0),
            QuantileEstimate(0.99, 400.0, 300.0, 500.0),
        )
        endpoints = tuple(LatencySample(e, t - 300, t, 20.0, 0.01, q) for e in [*ENDPOINTS, "*"])
        batch.append(PrometheusSample(t, t - 300, t, endpoints, ()))
        t += every
    write_samples(store, batch)


def findings_and_reports(store: Store, count: int, now: float) -> None:
    items = [
        Finding(
            kind="missing_index",
            severity="warning",
            namespace=f"travel.c{k}",
            fingerprint=f'db.c{k}.find({{"f{k}":"?"}})',
            summary=f"collection scan on travel.c{k}",
            suggestion=f'db.c{k}.createIndex({{"f{k}": 1}})',
            evidence={"total_ms": float(k * 100)},
            index=((f"f{k}", 1),),
        )
        for k in range(count)
    ]
    findings.upsert_findings(store, items, origin="bench", now=now)
    for day in range(30):
        seed.seed_reports(store, now - day * 86400)


def render(config: Path, repeat: int) -> dict[str, list[float]]:
    os.environ["PERFSIGHT_CONFIG"] = str(config)
    times: dict[str, list[float]] = {}
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    for page in PAGES:
        for _ in range(repeat + 1):
            start = time.perf_counter()
            at.switch_page(f"pages/{page}").run()
            times.setdefault(page, []).append(time.perf_counter() - start)
            print(f"{page}: {times[page][-1]:.2f} s", flush=True)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception[0].value}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--shapes", type=int, default=200)
    parser.add_argument(
        "--uniform",
        action="store_true",
        help="every shape equally often (the most rows: shapes × hourly buckets)",
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--store-dir", type=Path, help="keep the seeded store here; reuse it when it exists"
    )
    args = parser.parse_args()
    folder = args.store_dir or Path(tempfile.mkdtemp(prefix="perfsight-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'bench.db'}"
    config = folder / "perfsight.toml"
    config.write_text(f'[store]\nurl = "{url}"\n[redis]\nurl = "redis://127.0.0.1:1/0"\n')
    now = time.time()
    if (folder / "bench.db").exists():
        print(f"reusing the store in {folder}")
    else:
        seed_store(url, args, now)
    times = render(config, args.repeat)
    print(f"\n| page | first render | median of next {args.repeat} | slowest |")
    print("|---|---|---|---|")
    for page, values in times.items():
        first, rest = values[0], values[1:]
        print(f"| {page} | {first:.2f} s | {statistics.median(rest):.2f} s | {max(values):.2f} s |")


def seed_store(url: str, args: argparse.Namespace, now: float) -> None:
    with Store(url) as store:
        t0 = time.perf_counter()
        rows = shape_stats(store, args.events, args.shapes, now, args.uniform)
        print(
            f"shape stats: {args.events:,} events → {rows:,} rows "
            f"({time.perf_counter() - t0:.0f} s to make)"
        )
        load_runs(store, args.runs, now)
        samples(store, now)
        findings_and_reports(store, 50, now)


if __name__ == "__main__":
    main()
