"""What one collection cycle costs: a Redis sample (one INFO all), a Prometheus sample (13
PromQL queries) for an API of N endpoints, and storing both in SQLite.

    .venv/bin/python -m bench.collect_cycle [--endpoints 20] [--rounds 30]

Starts its own redis-server, Prometheus (1 s scrape) and latency app on loopback, loads each
endpoint a little, then times the calls. Prints median and p95 per step, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import redis

from collectors.prometheus import PrometheusCollector, connect_prometheus
from collectors.promql import query_set
from collectors.redis_collector import RedisCollector, connect_redis
from perfsight.config.prometheus import PrometheusSettings
from perfsight.services import PrometheusServer, RedisServer
from perfsight.store import Store
from perfsight.store.samples import write_samples
from tests.conftest import AppServer


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def report(name: str, values: list[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"{name:<42} median {statistics.median(values):8.2f} ms   p95 {p95:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    routes = [f"/r{i}=5" for i in range(args.endpoints)]
    app = AppServer(
        "tests.support.latency_app", *[p for r in routes for p in ("--route", r)], "--zero-series"
    )
    try:
        with RedisServer().start() as server, PrometheusServer([app.url[7:]]).start() as prom:
            traffic = redis.Redis.from_url(server.url)
            for i in range(2000):  # some keys and commands, so INFO has something to say
                traffic.set(f"k{i}", i)
                traffic.get(f"k{i}")
            prom.wait_for_scrape()
            with httpx.Client() as client, ThreadPoolExecutor(8) as pool:
                urls = [f"{app.url}/r{i}" for i in range(args.endpoints)] * 10
                list(pool.map(client.get, urls))
            time.sleep(2.5)
            rc = RedisCollector(connect_redis(server.url, timeout=2), target=server.url)
            settings = PrometheusSettings(url=prom.url, rate_window="1m")
            pc = PrometheusCollector(
                connect_prometheus(prom.url, timeout=10), query_set(settings), rate_window=60
            )
            report("redis sample (INFO all)", timed(rc.sample, args.rounds * 5))
            report(f"prometheus sample ({args.endpoints} endpoints)", timed(pc.sample, args.rounds))
            with (
                tempfile.TemporaryDirectory() as tmp,
                Store(f"sqlite:///{Path(tmp) / 'b.db'}") as store,
            ):
                records = [*rc.sample(), *pc.sample()]
                report(
                    "store both (SQLite, one cycle)",
                    timed(lambda: write_samples(store, records), args.rounds),
                )
    finally:
        app.stop()


if __name__ == "__main__":
    main()
