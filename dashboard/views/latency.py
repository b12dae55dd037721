"""The Latency page's figures: p50/p95/p99, req/s and the 5xx ratio per endpoint over a time
range — live from Prometheus when it is configured, else from the samples ``perfsight collect``
stored — with the histogram bucket each quantile lies in."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from collectors.build import prometheus_collector
from collectors.records import ALL, LatencySample, QuantileEstimate
from perfsight.config import Settings
from perfsight.store import Store
from perfsight.store.samples import latency_history

CHART_POINTS = 120  # range-query steps per chart


@dataclass(frozen=True, slots=True)
class LatencyData:
    origin: str  # where the figures come from, said on the page
    table: list[LatencySample]  # one per endpoint over the range (or its latest sample)
    series: list[LatencySample]  # per endpoint over time
    errors: list[str] = field(default_factory=list)  # sources that failed, with why


def step_for(seconds: float) -> float:
    """A range-query step giving about ``CHART_POINTS`` points, at least 15 s."""
    return max(15.0, math.ceil(seconds / CHART_POINTS))


def live(settings: Settings, *, since: float, until: float) -> LatencyData:
    """From Prometheus: the table over exactly ``[since, until]``, the charts as a range query.
    Raises ``PerfsightError`` (``SourceUnavailable``…) when Prometheus cannot answer."""
    collector = prometheus_collector(settings)
    if collector is None:
        raise ValueError("no [prometheus] url configured")
    try:
        window = collector.window(since, until)
        series = collector.series(since, until, step_for(until - since))
    finally:
        collector.close()
    return LatencyData(
        origin=f"Prometheus (live), {collector.target}",
        table=list(window.endpoints),
        series=[e for sample in series for e in sample.endpoints],
    )


def stored(store: Store, *, since: float, until: float) -> LatencyData:
    """From the stored samples: each endpoint's latest sample in the range for the table."""
    history = latency_history(store, since=since, until=until)
    latest: dict[str, LatencySample] = {}
    for sample in history:
        latest[sample.endpoint] = sample
    return LatencyData(
        origin="samples stored by perfsight collect",
        table=sorted(latest.values(), key=lambda s: (s.endpoint != ALL, s.endpoint)),
        series=history,
    )


def _bucket(q: QuantileEstimate) -> str:
    if q.lower_ms is None or q.upper_ms is None:
        return "—"
    upper = "∞" if math.isinf(q.upper_ms) else f"{q.upper_ms:g}"
    return f"{q.lower_ms:g}–{upper}"


def table_rows(samples: Iterable[LatencySample]) -> list[dict[str, Any]]:
    return [
        {
            "endpoint": "all endpoints" if s.endpoint == ALL else s.endpoint,
            "p50 (ms)": s.p50.value_ms,
            "p95 (ms)": s.p95.value_ms,
            "p95 bucket (ms)": _bucket(s.p95),
            "p99 (ms)": s.p99.value_ms,
            "req/s": s.rps,
            "5xx": s.error_ratio,
        }
        for s in samples
    ]


def chart_series(
    samples: Sequence[LatencySample], metric: str
) -> dict[str, tuple[list[float], list[float | None]]]:
    """endpoint → (times, values) of ``metric``: p50 | p95 | p99 | rps | errors."""
    out: dict[str, tuple[list[float], list[float | None]]] = {}
    for s in samples:
        value = {
            "p50": s.p50.value_ms,
            "p95": s.p95.value_ms,
            "p99": s.p99.value_ms,
            "rps": s.rps,
            "errors": s.error_ratio,
        }[metric]
        times, values = out.setdefault(s.endpoint, ([], []))
        times.append(s.end)
        values.append(value)
    return out
