"""PromQL for each exporter convention: which metric holds request durations, which labels
name the route, the method and the status, and the templates built from them.

Templates are plain PromQL with ``{placeholder}``s (``[prometheus] queries`` may replace any):

- ``{q}``: the quantile (0.95); ``{window}``: the range of ``rate()``/``increase()`` (``300s``);
- ``{selector}``: ``{job="api",app="crm"}`` from ``[prometheus] job``/``selector``, or nothing;
- ``{error_selector}``: the same plus ``<status_label>=~"5.."``;
- ``{by}``: the endpoint labels (``method, route``); empty for the whole-app aggregate;
- ``{histogram}`` / ``{requests}``: the duration histogram / the request counter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from collectors.records import ALL
from perfsight.config.prometheus import PLACEHOLDERS, PrometheusSettings
from perfsight.models import endpoint_key


@dataclass(frozen=True, slots=True)
class Convention:
    """How an exporter names things. ``requests`` is a counter with the status label (None:
    the histogram's ``_count``); ``overall_histogram`` a finer unlabelled histogram to use for
    the whole-app quantiles (prometheus-fastapi-instrumentator's ``highr``)."""

    histogram: str | None
    requests: str | None
    route_label: str | None
    method_label: str | None
    status_label: str | None
    overall_histogram: str | None = None


CONVENTIONS: dict[str, Convention] = {
    # perfsight's own (the sample API, perfsight.demo.metrics): fine buckets.
    "perfsight": Convention(
        "http_request_duration_seconds", None, "route", "method", "status_code"
    ),
    # express-prom-bundle with includeMethod/includePath; without them there is no route label
    # and everything is one endpoint ("*"). Default buckets are coarse: 3ms … 10s in 6 steps.
    "express-prom-bundle": Convention(
        "http_request_duration_seconds", None, "path", "method", "status_code"
    ),
    # prometheus-fastapi-instrumentator: status grouped as "2xx"/"5xx" (=~"5.." matches both).
    "fastapi-instrumentator": Convention(
        "http_request_duration_seconds",
        "http_requests_total",
        "handler",
        "method",
        "status",
        overall_histogram="http_request_duration_highr_seconds",
    ),
    "starlette-exporter": Convention(
        "starlette_request_duration_seconds",
        "starlette_requests_total",
        "path",
        "method",
        "status_code",
    ),
    "custom": Convention(None, None, None, None, None),
}

_BUCKET_RATES = "sum by (le, {by}) (rate({histogram}_bucket{selector}[{window}]))"
DEFAULT_TEMPLATES: dict[str, str] = {
    "quantile": "histogram_quantile({q}, " + _BUCKET_RATES + ")",
    "buckets": _BUCKET_RATES,
    "rps": "sum by ({by}) (rate({requests}{selector}[{window}]))",
    "errors": "sum by ({by}) (rate({requests}{error_selector}[{window}]))",
}


def cache_template(metric: str) -> str:
    """Lookups of the app's own cache in the window, by cache name and result."""
    return "sum by (cache, result) (increase(" + metric + "{selector}[{window}]))"


_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def format_window(seconds: float) -> str:
    """A PromQL duration: whole seconds as ``300s``, anything finer in milliseconds."""
    if seconds <= 0:
        raise ValueError(f"a query window must be positive, not {seconds}")
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


@dataclass(frozen=True, slots=True)
class QuerySet:
    """The queries of one configured target, ready to render."""

    convention: Convention
    templates: Mapping[str, str]
    matchers: tuple[str, ...] = ()

    @property
    def endpoint_labels(self) -> tuple[str, ...]:
        c = self.convention
        return tuple(label for label in (c.method_label, c.route_label) if label)

    def selector(self, *extra: str) -> str:
        matchers = (*self.matchers, *extra)
        return "{" + ",".join(matchers) + "}" if matchers else ""

    def render(
        self, key: str, *, window: str, q: float | None = None, per_endpoint: bool = True
    ) -> str | None:
        """The PromQL of ``key``, or ``None`` when this target has no such query (a custom
        convention without a bucket query, no status label for errors …)."""
        template = self.templates.get(key)
        if template is None:
            return None
        c = self.convention
        histogram = c.histogram if per_endpoint else (c.overall_histogram or c.histogram)
        status = c.status_label
        values: dict[str, str | None] = {
            "window": window,
            "q": repr(q) if q is not None else None,
            "selector": self.selector(),
            "error_selector": self.selector(f'{status}=~"5.."') if status else None,
            "by": ", ".join(self.endpoint_labels) if per_endpoint else "",
            "histogram": histogram,
            "requests": c.requests or (f"{c.histogram}_count" if c.histogram else None),
        }
        missing = [name for name in _PLACEHOLDER.findall(template) if values.get(name) is None]
        if missing:
            return None
        text = _PLACEHOLDER.sub(lambda m: values[m.group(1)] or "", template)
        # An empty {by} leaves "(le, )" or "by ()": valid PromQL, but tidy it.
        return re.sub(r",\s*\)", ")", text)

    def endpoint_of(self, labels: Mapping[str, str], *, per_endpoint: bool = True) -> str:
        """The endpoint key of a result series: ``METHOD /route``; a bare route when there is
        no method label; ``*`` for the whole-app aggregate or a layout without routes."""
        if not per_endpoint:
            return ALL
        c = self.convention
        route = labels.get(c.route_label) if c.route_label else None
        method = labels.get(c.method_label) if c.method_label else None
        route = route or ALL
        return endpoint_key(method, route) if method else route


def query_set(settings: PrometheusSettings) -> QuerySet:
    """The queries ``[prometheus]`` describes: the convention, its labels overridden by
    ``route_label``/``method_label``/``status_label``, its templates by ``queries``."""
    base = CONVENTIONS[settings.convention]
    histogram = settings.histogram or base.histogram
    convention = Convention(
        histogram=histogram,
        requests=settings.requests_metric or (base.requests if not settings.histogram else None),
        route_label=settings.route_label or base.route_label,
        method_label=settings.method_label or base.method_label,
        status_label=settings.status_label or base.status_label,
        overall_histogram=base.overall_histogram if not settings.histogram else None,
    )
    matchers = []
    if settings.job:
        matchers.append(f'job="{_escape(settings.job)}"')
    if settings.selector:
        matchers.append(settings.selector.strip().strip("{}").strip().rstrip(","))
    return QuerySet(
        convention=convention,
        templates={
            **DEFAULT_TEMPLATES,
            "cache": cache_template(settings.cache_metric),
            **settings.queries,
        },
        matchers=tuple(matchers),
    )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
