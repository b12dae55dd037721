"""Latency, throughput and errors per endpoint from Prometheus over the window."""

from __future__ import annotations

from collectors.records import ALL, LatencySample, QuantileEstimate
from perfsight.reports.evaluate import Observation
from perfsight.reports.layout import chart, iso_times, table
from perfsight.reports.model import MetricValue, Section
from perfsight.reports.sections.base import SectionContext, SectionOutput, SectionSpec

SOURCE = "prometheus"
# Points per chart: enough to see a trend, few enough to keep the query cheap.
SERIES_POINTS = 60


def _bounds(estimate: QuantileEstimate) -> str:
    if estimate.lower_ms is None or estimate.upper_ms is None:
        return ""
    return f"({estimate.lower_ms:g}, {estimate.upper_ms:g}] ms"


def _observations(sample: LatencySample) -> list[Observation]:
    scope = {} if sample.endpoint == ALL else {"endpoint": sample.endpoint}
    found = [
        Observation(
            "http_req_duration",
            f"p{estimate.q * 100:g}",
            estimate.value_ms,
            SOURCE,
            scope,
            detail=f"histogram bucket {_bounds(estimate)}" if _bounds(estimate) else None,
        )
        for estimate in sample.quantiles
    ]
    found.append(Observation("http_req_failed", "rate", sample.error_ratio, SOURCE, scope))
    return found


def _metrics(sample: LatencySample) -> list[MetricValue]:
    scope = "" if sample.endpoint == ALL else f"{{endpoint:{sample.endpoint}}}"
    metrics = [
        MetricValue(f"http_req_duration{scope} p{e.q * 100:g}", e.value_ms, "ms", SOURCE, "lower")
        for e in sample.quantiles
    ]
    metrics.append(
        MetricValue(f"http_req_failed{scope} rate", sample.error_ratio, "ratio", SOURCE, "lower")
    )
    metrics.append(MetricValue(f"http_reqs{scope} rate", sample.rps, "req/s", SOURCE, None))
    return metrics


def _p95(sample: LatencySample | None) -> float | None:
    return sample.p95.value_ms if sample is not None else None


def build(context: SectionContext) -> SectionOutput:
    window = context.prometheus.window()
    step = max((context.end - context.start) / SERIES_POINTS, 15.0)
    series = context.prometheus.collector().series(context.start, context.end, step)
    endpoints = sorted(window.endpoints, key=lambda e: (e.endpoint != ALL, -(e.rps or 0)))
    rows = [
        [
            "whole app" if e.endpoint == ALL else e.endpoint,
            e.rps,
            e.error_ratio,
            *(value for q in e.quantiles for value in (q.value_ms, _bounds(q))),
        ]
        for e in endpoints
    ]
    columns = ["endpoint", "req/s", "5xx ratio"]
    for q in context.quantiles:
        columns += [f"p{q * 100:g} ms", "bucket"]
    busiest = [e.endpoint for e in endpoints if e.rps][:6]
    times = iso_times([s.end for s in series])
    p95_series = {
        ("whole app" if key == ALL else key): [_p95(s.endpoint(key)) for s in series]
        for key in busiest
    }
    served = [e for e in endpoints if e.endpoint != ALL and e.p95.value_ms is not None]
    section = Section(
        "latency",
        "Latency, throughput and errors (Prometheus)",
        True,
        data={
            "summary": (
                f"{len(served)} endpoint(s) served requests in the window. Each quantile comes "
                "with the histogram bucket it falls in: the true value lies inside it. Request "
                "rates are information here — passive traffic is not a throughput test."
            ),
            "tables": [table("Per endpoint", columns, rows)],
            "charts": [
                chart(
                    "bar",
                    "p95 per endpoint",
                    "ms",
                    [e.endpoint for e in served],
                    {"p95": [e.p95.value_ms for e in served]},
                ),
                chart("line", "p95 over the window", "ms", times, p95_series),
            ],
        },
    )
    return SectionOutput(
        section,
        metrics=tuple(m for e in endpoints for m in _metrics(e)),
        observations=tuple(o for e in endpoints for o in _observations(e)),
    )


SPEC = SectionSpec(
    "latency",
    "Latency, throughput and errors (Prometheus)",
    ("http_req_duration", "http_req_failed"),
    build,
)
