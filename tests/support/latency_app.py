"""A small instrumented HTTP server whose latencies the test chooses.

``python -m tests.support.latency_app --port P --route /fast=5,10 --route /slow=200``: each
``GET /fast`` sleeps the next value of its cycle (5 ms, 10 ms, 5 ms, …) on the server before
answering, so a test knows every latency in advance and can compute the exact percentiles it
expects. ``--route /boom=10:500`` answers status 500. Metrics in perfsight's convention at
``/metrics``; ``GET /stats`` returns how many requests each route served.

Options for collector tests (all off by default):

- ``--cache /lookup=items:hit,hit,miss``: each request to ``/lookup`` also counts one lookup
  of the app cache ``items`` in ``cache_requests_total{cache,result}``, cycling through the
  results given (the app's own cache counters; perfsight's layout only).
- ``--zero-series``: create every route's series (and the cache's) at zero on start, so that
  Prometheus sees the first requests as an increase (a series born with its first request
  loses that request to ``rate()``) and an idle route has series that never move.
- ``--exporter NAME``: export under another exporter's layout instead of perfsight's
  (``express-prom-bundle``, ``fastapi-instrumentator``, ``starlette-exporter``; see
  ``tests/support/exporter_layouts.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from perfsight.demo.metrics import HttpMetrics, PrometheusMiddleware
from tests.support.exporter_layouts import LAYOUTS


def parse_route(text: str) -> tuple[str, list[float], int]:
    path, _, spec = text.partition("=")
    latencies, _, status = spec.partition(":")
    return path, [float(v) for v in latencies.split(",")], int(status or 200)


def parse_cache(text: str) -> tuple[str, str, list[bool]]:
    """``/lookup=items:hit,hit,miss`` → (path, cache name, [True, True, False])."""
    path, _, spec = text.partition("=")
    name, _, results = spec.partition(":")
    return path, name, [r.strip() == "hit" for r in results.split(",")]


def build_app(
    routes: list[tuple[str, list[float], int]],
    *,
    caches: list[tuple[str, str, list[bool]]] | None = None,
    zero_series: bool = False,
    exporter: str | None = None,
) -> Starlette:
    metrics: Any = LAYOUTS[exporter]() if exporter else HttpMetrics()
    served: Counter[str] = Counter()
    cache_cycles = {path: (name, itertools.cycle(results)) for path, name, results in caches or []}

    def handler(path: str, cycle: Iterator[float], status: int):  # type: ignore[no-untyped-def]
        async def endpoint(_request: Request) -> Response:
            delay = next(cycle)
            served[path] += 1
            if path in cache_cycles:
                name, results = cache_cycles[path]
                metrics.cache(name, next(results))
            await asyncio.sleep(delay / 1000)
            return JSONResponse({"path": path, "slept_ms": delay}, status_code=status)

        return endpoint

    if zero_series:
        for path, _latencies, status in routes:
            if exporter:
                metrics.touch("GET", path, status)
            else:
                metrics.duration.labels("GET", path, str(status))
                metrics.requests.labels("GET", path, str(status))
        for name, _results in cache_cycles.values():
            for result in ("hit", "miss"):
                if not exporter:
                    metrics.cache_requests.labels(name, result)

    app_routes = [
        Route(path, handler(path, itertools.cycle(lat), status), methods=["GET", "POST"])
        for path, lat, status in routes
    ]
    app_routes.append(Route("/metrics", metrics.response))
    app_routes.append(Route("/stats", lambda _r: JSONResponse(dict(served))))
    app = Starlette(routes=app_routes)
    app.add_middleware(PrometheusMiddleware, metrics=metrics)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--route", action="append", default=[])
    parser.add_argument("--cache", action="append", default=[])
    parser.add_argument("--zero-series", action="store_true")
    parser.add_argument("--exporter", choices=sorted(LAYOUTS))
    args = parser.parse_args()
    app = build_app(
        [parse_route(r) for r in args.route],
        caches=[parse_cache(c) for c in args.cache],
        zero_series=args.zero_series,
        exporter=args.exporter,
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
