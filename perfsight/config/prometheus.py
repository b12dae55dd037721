"""``[prometheus]``: where per-endpoint latency, throughput and errors come from."""

from __future__ import annotations

from typing import Literal

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration, HttpUrl


class PrometheusSettings(Table):
    url: HttpUrl = setting(
        None, "Prometheus server, e.g. http://127.0.0.1:9090. Unset: no Prometheus collector."
    )
    convention: Literal[
        "perfsight", "express-prom-bundle", "fastapi-instrumentator", "starlette-exporter", "custom"
    ] = setting(
        "perfsight",
        "Metric naming of the target's exporter; picks the PromQL templates. 'perfsight' is "
        "http_request_duration_seconds{method,route,status_code} (the sample API's).",
    )
    route_label: str | None = setting(
        None, "Label holding the route template (default: the convention's)."
    )
    method_label: str | None = setting(
        None, "Label holding the HTTP method (default: the convention's)."
    )
    status_label: str | None = setting(
        None, "Label holding the status code (default: the convention's)."
    )
    job: str | None = setting(None, 'Only series with this job label (PromQL matcher job="…").')
    queries: dict[str, str] = setting(
        dict,
        "PromQL templates replacing the convention's: keys p_quantile, rps, error_ratio, "
        "cache_hits, cache_misses; {window}, {q} and {selector} are substituted.",
    )
    rate_window: Duration = setting("5m", "Window of rate() in the templates.")
    timeout: Duration = setting("10s", "HTTP timeout of each Prometheus query.")
    headers: dict[str, str] = setting(
        dict, "HTTP headers sent to Prometheus (e.g. Authorization).", secret=True
    )
