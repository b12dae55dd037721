"""``[prometheus]``: where per-endpoint latency, throughput, errors and the app's own cache
counters come from."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator, model_validator

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration, HttpUrl

Convention = Literal[
    "perfsight", "express-prom-bundle", "fastapi-instrumentator", "starlette-exporter", "custom"
]
# The PromQL templates a convention provides and [prometheus] queries may replace.
TEMPLATE_KEYS = ("quantile", "buckets", "rps", "errors", "cache")
# What a template may contain, substituted when a query is built (collectors/promql.py).
PLACEHOLDERS = ("window", "q", "selector", "error_selector", "by", "histogram", "requests")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
_METRIC = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:]*$")
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def template_placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a template (PromQL's own ``{job="x"}`` braces have an
    ``=`` or quotes inside, so they never look like one)."""
    return set(_PLACEHOLDER.findall(template))


class PrometheusSettings(Table):
    url: HttpUrl = setting(
        None, "Prometheus server, e.g. http://127.0.0.1:9090. Unset: no Prometheus collector."
    )
    convention: Convention = setting(
        "perfsight",
        "Metric naming of the target's exporter; picks the PromQL templates. 'perfsight' is "
        "http_request_duration_seconds{method,route,status_code} (the sample API's); "
        "'custom' needs histogram (or queries.quantile) and route_label.",
    )
    histogram: str | None = setting(
        None,
        "Histogram of request durations in seconds, name without _bucket (default: the "
        "convention's).",
    )
    requests_metric: str | None = setting(
        None,
        "Counter of requests carrying the status label (default: the convention's, else the "
        "histogram's _count).",
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
    selector: str | None = setting(
        None, 'Extra label matchers added to every query, e.g. app="crm", env="prod".'
    )
    cache_metric: str = setting(
        "cache_requests_total",
        "Counter of the app's own cache lookups, labels cache and result (hit|miss): the truer "
        "cache hit ratio. Absent from Prometheus: that ratio is not reported.",
    )
    queries: dict[str, str] = setting(
        dict,
        "PromQL templates replacing the convention's: keys quantile, buckets, rps, errors, "
        "cache; placeholders {q}, {window}, {selector}, {error_selector}, {by}, {histogram}, "
        "{requests} are substituted (README: Collection).",
    )
    rate_window: Duration = setting(
        "5m", "Window of rate() for instant samples (perfsight collect, --once)."
    )
    timeout: Duration = setting("10s", "HTTP timeout of each Prometheus query.")
    headers: dict[str, str] = setting(
        dict, "HTTP headers sent to Prometheus (e.g. Authorization).", secret=True
    )
    verify_tls: bool = setting(True, "Verify the TLS certificate of an https:// Prometheus.")

    @field_validator("histogram", "requests_metric", "cache_metric")
    @classmethod
    def _metric_name(cls, value: str | None) -> str | None:
        if value is not None and not _METRIC.match(value):
            raise ValueError("not a Prometheus metric name")
        return value

    @field_validator("route_label", "method_label", "status_label")
    @classmethod
    def _label_name(cls, value: str | None) -> str | None:
        if value is not None and not _LABEL.match(value):
            raise ValueError("not a Prometheus label name")
        return value

    @field_validator("queries")
    @classmethod
    def _queries(cls, value: dict[str, str]) -> dict[str, str]:
        for key, template in value.items():
            if key not in TEMPLATE_KEYS:
                raise ValueError(f"unknown query {key!r}; the keys are {', '.join(TEMPLATE_KEYS)}")
            unknown = template_placeholders(template) - set(PLACEHOLDERS)
            if unknown:
                raise ValueError(
                    f"query {key!r}: unknown placeholder(s) {', '.join(sorted(unknown))}; "
                    f"known: {', '.join(PLACEHOLDERS)}"
                )
        return value

    @model_validator(mode="after")
    def _custom_needs_a_source(self) -> PrometheusSettings:
        if self.convention == "custom":
            if self.histogram is None and "quantile" not in self.queries:
                raise ValueError("convention 'custom' needs histogram or queries.quantile")
            if self.route_label is None:
                raise ValueError("convention 'custom' needs route_label")
        return self
