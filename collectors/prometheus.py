"""The Prometheus collector: p50/p95/p99 per endpoint (``histogram_quantile``) with the bucket
bounds around each, request rate, 5xx ratio, and the app's own cache hit ratio — for an
instant (over ``rate_window``), for a window ``[start, end]`` (a load run, a report), or as a
range series.

NaN and empty results are "no data" (``None``), never 0: ``histogram_quantile`` over an idle
window is NaN, an exporter without a status label has no error ratio.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from collectors.histogram import bucket_bounds
from collectors.promql import QuerySet, format_window
from collectors.records import ALL, CacheSample, LatencySample, PrometheusSample, QuantileEstimate
from perfsight.config.redact import redact_url
from perfsight.errors import SourceResponseError, SourceUnavailable

QUANTILES = (0.5, 0.95, 0.99)
Rows = list[tuple[Mapping[str, str], float]]
# evaluation time -> query name -> result series
Results = dict[float, dict[str, Rows]]


def connect_prometheus(
    url: str, *, timeout: float, headers: Mapping[str, str] | None = None, verify: bool = True
) -> PrometheusConnect:
    """A client with a timeout on every request and no retries of its own (the library's
    default retries a refused connection with back-off for seconds; the collection loop does
    the backing off)."""
    return PrometheusConnect(
        url=url,
        headers=dict(headers) if headers else None,
        disable_ssl=not verify,
        retry=Retry(total=0, raise_on_status=False),
        timeout=timeout,
    )


class PrometheusCollector:
    kind = "prometheus"

    def __init__(
        self,
        client: PrometheusConnect,
        queries: QuerySet,
        *,
        rate_window: float = 300.0,
        timeout: float = 10.0,
        quantiles: Sequence[float] = QUANTILES,
        name: str = "prometheus",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.queries = queries
        self.rate_window = rate_window
        self.timeout = timeout
        self.quantiles = tuple(quantiles)
        self.name = name
        self.target = redact_url(client.url)
        self.clock = clock

    # -- what callers use ----------------------------------------------------------------------

    def sample(self, now: float | None = None) -> list[PrometheusSample]:
        """The collection loop's call: an instant sample."""
        return [self.snapshot(now)]

    def snapshot(self, at: float | None = None) -> PrometheusSample:
        """Every endpoint over the ``rate_window`` that ends at ``at`` (default: now)."""
        ts = self.clock() if at is None else at
        ran, results = self._run(self.rate_window, lambda promql: self._instant(promql, ts))
        return self._build(ts, ts - self.rate_window, ran, results.get(ts, {}))

    def window(self, start: float, end: float) -> PrometheusSample:
        """Every endpoint over exactly ``[start, end]`` (a load run's window): ``increase``
        and ``rate`` over ``end - start``, evaluated at ``end``. Prometheus needs two scrapes
        inside the window to see anything."""
        if end <= start:
            raise ValueError(f"window end {end} is not after its start {start}")
        ran, results = self._run(end - start, lambda promql: self._instant(promql, end))
        return self._build(end, start, ran, results.get(end, {}))

    def series(self, start: float, end: float, step: float) -> list[PrometheusSample]:
        """A range query: one sample per ``step`` from ``start`` to ``end``, each over
        ``rate_window`` (Prometheus's ``query_range``)."""
        ran, results = self._run(
            self.rate_window, lambda promql: self._range(promql, start, end, step)
        )
        return [self._build(ts, ts - self.rate_window, ran, results[ts]) for ts in sorted(results)]

    def close(self) -> None:
        self.client.close()

    # -- querying ------------------------------------------------------------------------------

    def _run(
        self, window_s: float, fetch: Callable[[str], dict[float, Rows]]
    ) -> tuple[set[str], Results]:
        """Run every query of the set: the names of those run, and their results regrouped by
        evaluation time."""
        window = format_window(window_s)
        named: dict[str, str | None] = {}
        for per_endpoint in (True, False):
            suffix = "" if per_endpoint else ":all"
            for q in self.quantiles:
                named[f"q{q}{suffix}"] = self.queries.render(
                    "quantile", window=window, q=q, per_endpoint=per_endpoint
                )
            for key in ("buckets", "rps", "errors"):
                named[key + suffix] = self.queries.render(
                    key, window=window, per_endpoint=per_endpoint
                )
        named["cache"] = self.queries.render("cache", window=window)
        by_time: Results = defaultdict(dict)
        ran = set()
        for query_name, promql in named.items():
            if promql is None:
                continue
            ran.add(query_name)
            for ts, rows in fetch(promql).items():
                by_time[ts][query_name] = rows
        return ran, by_time

    def _instant(self, promql: str, at: float) -> dict[float, Rows]:
        params = {"time": repr(at), "timeout": format_window(self.timeout)}
        data = self._call(promql, lambda: self.client.custom_query(promql, params=params))
        return {at: [(item["metric"], _float(item["value"][1])) for item in data]}

    def _range(self, promql: str, start: float, end: float, step: float) -> dict[float, Rows]:
        def call() -> Any:
            return self.client.custom_query_range(
                promql,
                start_time=datetime.fromtimestamp(start, UTC),
                end_time=datetime.fromtimestamp(end, UTC),
                step=format_window(step),
                params={"timeout": format_window(self.timeout)},
            )

        out: dict[float, Rows] = defaultdict(list)
        for item in self._call(promql, call):
            for ts, value in item["values"]:
                out[float(ts)].append((item["metric"], _float(value)))
        return out

    def _call(self, promql: str, call: Callable[[], Any]) -> list[dict[str, Any]]:
        where = f"{self.name} ({self.target})"
        try:
            data = call()
        except requests.Timeout as exc:
            raise SourceUnavailable(
                f"no answer within {format_window(self.timeout)}", source=where
            ) from exc
        except requests.ConnectionError as exc:
            raise SourceUnavailable(f"cannot connect: {_reason(exc)}", source=where) from exc
        except requests.RequestException as exc:
            raise SourceUnavailable(f"request failed: {_short(exc)}", source=where) from exc
        except PrometheusApiClientException as exc:
            raise SourceResponseError(
                f"query {promql!r} failed: {_short(exc)}", source=where
            ) from exc
        except (ValueError, KeyError) as exc:  # not JSON, or not Prometheus's API
            raise SourceResponseError(
                f"unreadable reply to {promql!r}: {exc}", source=where
            ) from exc
        if not isinstance(data, list):
            raise SourceResponseError(f"unexpected reply to {promql!r}", source=where)
        return data

    # -- building records ----------------------------------------------------------------------

    def _build(
        self, ts: float, start: float, ran: set[str], rows: Mapping[str, Rows]
    ) -> PrometheusSample:
        endpoints = [
            *self._endpoints(rows, ran, True, start, ts),
            *self._endpoints(rows, ran, False, start, ts),
        ]
        return PrometheusSample(
            ts=ts,
            start=start,
            end=ts,
            endpoints=tuple(endpoints),
            caches=tuple(_caches(rows.get("cache", []), start, ts)),
        )

    def _endpoints(
        self,
        rows: Mapping[str, Rows],
        ran: set[str],
        per_endpoint: bool,
        start: float,
        end: float,
    ) -> list[LatencySample]:
        suffix = "" if per_endpoint else ":all"

        def by_endpoint(name: str) -> dict[str, float]:
            found = rows.get(name + suffix, [])
            return {self.queries.endpoint_of(m, per_endpoint=per_endpoint): v for m, v in found}

        rps = by_endpoint("rps")
        errors = by_endpoint("errors")
        values = {q: by_endpoint(f"q{q}") for q in self.quantiles}
        buckets: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for labels, value in rows.get("buckets" + suffix, []):
            key = self.queries.endpoint_of(labels, per_endpoint=per_endpoint)
            buckets[key].append((_float(labels.get("le")), value))
        keys = set(rps) | {key for found in values.values() for key in found}
        has_errors = "errors" + suffix in ran
        samples = []
        for key in sorted(keys):
            rate = _finite(rps.get(key))
            error_ratio = None
            if has_errors and rate is not None and rate > 0:
                error_ratio = min(1.0, (_finite(errors.get(key)) or 0.0) / rate)
            estimates = tuple(
                _estimate(q, values[q].get(key), buckets.get(key)) for q in self.quantiles
            )
            samples.append(LatencySample(key, start, end, rate, error_ratio, estimates))
        return samples


def _estimate(
    q: float, value_s: float | None, buckets: list[tuple[float, float]] | None
) -> QuantileEstimate:
    value = _finite(value_s)
    bounds = bucket_bounds(buckets, q) if buckets else None
    if value is None:
        return QuantileEstimate(q, None)
    if bounds is None:
        return QuantileEstimate(q, value * 1000)
    return QuantileEstimate(q, value * 1000, bounds[0] * 1000, bounds[1] * 1000)


def _caches(rows: Rows, start: float, end: float) -> list[CacheSample]:
    hits: dict[str, float] = defaultdict(float)
    misses: dict[str, float] = defaultdict(float)
    for labels, value in rows:
        name = labels.get("cache") or ALL
        count = _finite(value) or 0.0
        if labels.get("result") == "hit":
            hits[name] += count
        elif labels.get("result") == "miss":
            misses[name] += count
        else:
            hits.setdefault(name, 0.0)
            misses.setdefault(name, 0.0)
    names = sorted(set(hits) | set(misses))
    out = [CacheSample("app_metrics", n, start, end, hits[n], misses[n]) for n in names]
    if names and ALL not in names:
        total_hits, total_misses = sum(hits.values()), sum(misses.values())
        out.insert(0, CacheSample("app_metrics", ALL, start, end, total_hits, total_misses))
    return out


def _float(text: Any) -> float:
    try:
        return float(text)  # Prometheus sends "NaN", "+Inf" as strings; float() reads both
    except (TypeError, ValueError):
        return math.nan


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _reason(exc: requests.ConnectionError) -> str:
    """The root cause of a failed connection ("[Errno 111] Connection refused"), not urllib3's
    paragraph with the whole query URL in it."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    text = str(reason if reason is not None else exc)
    return _short(text.rpartition("Failed to establish a new connection: ")[2] or text)


def _short(exc: BaseException | str, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 1] + "…"
