"""Metric layouts of common exporters, for the latency app's ``--exporter`` option: the same
observations exported under the names, labels and default buckets of express-prom-bundle,
prometheus-fastapi-instrumentator or starlette_exporter, so collectors can be tested against
a real Prometheus scraping each layout.

Each layout has ``observe(method, route, status, seconds)``, ``touch(method, route, status)``
(create the series at zero) and ``response()``, like ``perfsight.demo.metrics.HttpMetrics``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

# express-prom-bundle's default buckets (coarse on purpose: they show how inexact a p95 can be).
EXPRESS_BUCKETS = (0.003, 0.03, 0.1, 0.3, 1.5, 10)
# prometheus-fastapi-instrumentator's metrics.default(): few buckets with labels, many without.
FASTAPI_LOWR_BUCKETS = (0.1, 0.5, 1)
FASTAPI_HIGHR_BUCKETS = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5,
    10, 30, 60,
)  # fmt: skip


class _Layout:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)

    def cache(self, name: str, hit: bool) -> None:
        """App cache counters are the app's own, not the exporter's: kept by perfsight's
        metrics (only the default layout has them)."""

    def response(self, _request: Request | None = None) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class ExpressPromBundle(_Layout):
    """``promBundle({includeMethod: true, includePath: true})``."""

    def __init__(self) -> None:
        super().__init__()
        self.duration = Histogram(
            "http_request_duration_seconds",
            "duration histogram of http responses labeled with: status_code, method, path",
            ("status_code", "method", "path"),
            buckets=EXPRESS_BUCKETS,
            registry=self.registry,
        )

    def touch(self, method: str, route: str, status: int) -> None:
        self.duration.labels(str(status), method, route)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.duration.labels(str(status), method, route).observe(seconds)


class FastapiInstrumentator(_Layout):
    """``Instrumentator().instrument(app)`` with ``metrics.default()``: grouped status codes."""

    def __init__(self) -> None:
        super().__init__()
        self.total = Counter(
            "http_requests",
            "Total number of requests by method, status and handler.",
            ("method", "status", "handler"),
            registry=self.registry,
        )
        self.highr = Histogram(
            "http_request_duration_highr_seconds",
            "Latency with many buckets but no API specific labels.",
            buckets=FASTAPI_HIGHR_BUCKETS,
            registry=self.registry,
        )
        self.lowr = Histogram(
            "http_request_duration_seconds",
            "Latency with only few buckets by handler.",
            ("method", "handler"),
            buckets=FASTAPI_LOWR_BUCKETS,
            registry=self.registry,
        )

    def touch(self, method: str, route: str, status: int) -> None:
        self.total.labels(method, f"{str(status)[0]}xx", route)
        self.lowr.labels(method, route)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.total.labels(method, f"{str(status)[0]}xx", route).inc()
        self.highr.observe(seconds)
        self.lowr.labels(method, route).observe(seconds)


class StarletteExporter(_Layout):
    """``PrometheusMiddleware(app, group_paths=True)`` with the default app_name."""

    def __init__(self) -> None:
        super().__init__()
        labels = ("app_name", "method", "path", "status_code")
        self.total = Counter(
            "starlette_requests", "Total HTTP requests", labels, registry=self.registry
        )
        self.duration = Histogram(
            "starlette_request_duration_seconds",
            "HTTP request duration, in seconds",
            labels,
            registry=self.registry,
        )

    def touch(self, method: str, route: str, status: int) -> None:
        self.total.labels("starlette", method, route, str(status))
        self.duration.labels("starlette", method, route, str(status))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.total.labels("starlette", method, route, str(status)).inc()
        self.duration.labels("starlette", method, route, str(status)).observe(seconds)


LAYOUTS = {
    "express-prom-bundle": ExpressPromBundle,
    "fastapi-instrumentator": FastapiInstrumentator,
    "starlette-exporter": StarletteExporter,
}
