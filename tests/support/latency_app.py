"""A small instrumented HTTP server whose latencies the test chooses.

``python -m tests.support.latency_app --port P --route /fast=5,10 --route /slow=200``: each
``GET /fast`` sleeps the next value of its cycle (5 ms, 10 ms, 5 ms, …) on the server before
answering, so a test knows every latency in advance and can compute the exact percentiles it
expects. ``--route /boom=10:500`` answers status 500. Metrics in perfsight's convention at
``/metrics``; ``GET /stats`` returns how many requests each route served.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections import Counter
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from perfsight.demo.metrics import HttpMetrics, PrometheusMiddleware


def parse_route(text: str) -> tuple[str, list[float], int]:
    path, _, spec = text.partition("=")
    latencies, _, status = spec.partition(":")
    return path, [float(v) for v in latencies.split(",")], int(status or 200)


def build_app(routes: list[tuple[str, list[float], int]]) -> Starlette:
    metrics = HttpMetrics()
    served: Counter[str] = Counter()

    def handler(path: str, cycle: Iterator[float], status: int):  # type: ignore[no-untyped-def]
        async def endpoint(_request: Request) -> Response:
            delay = next(cycle)
            served[path] += 1
            await asyncio.sleep(delay / 1000)
            return JSONResponse({"path": path, "slept_ms": delay}, status_code=status)

        return endpoint

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
    args = parser.parse_args()
    app = build_app([parse_route(r) for r in args.route])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
