"""Attribution: each failed threshold with the findings of the same window that explain it,
matched by endpoint key — "p(95) 1,840 ms > 500 on GET /api/itineraries/{id}: N+1 on
travel.itinerary_days (31 queries/request, 92 % of requests)". No load tool does this.

Which endpoints a failure is on:

- a threshold scoped to an endpoint (``{endpoint:X}``) is on the endpoints X selects;
- an unscoped one is broken down: the same threshold is evaluated per endpoint against the same
  metric sources, and the endpoints that fail it themselves are the ones it is on (the run's p95
  fails because GET /a is slow, not GET /b);
- throughput (``http_reqs``) is limited by where the users spend their time (a closed-loop
  generator sends users / response time requests per second): the endpoints holding most of it;
- ``missing_indexes`` is scoped by namespace, and its findings are matched by namespace.

Then the findings of kinds that can explain that metric are matched by endpoint key
(``perfsight.models.endpoint_matches``), a finding's endpoint being its ``endpoint`` or, for
findings on a query shape used by several endpoints, the ``endpoints`` of its evidence. A
finding on another endpoint is never attributed. Pure functions: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analyzers.ranking import fix_first
from loadruns.result import EndpointStats
from loadruns.verdict import MetricSource, evaluate
from perfsight.models import Finding, endpoint_matches
from perfsight.thresholds import METRICS, Outcome, Threshold

COST_KINDS = frozenset(
    {
        "n_plus_one",
        "redundant_query",
        "unpaginated_query",
        "unpaginated_endpoint",
        "missing_index",
        "time_outside_db",
        "slow_endpoint",
        "uncompressed_response",
    }
)
# The finding kinds that can explain a failure of each metric.
EXPLAINS: dict[str, frozenset[str]] = {
    "http_req_duration": COST_KINDS,
    "http_reqs": COST_KINDS,
    "http_req_failed": frozenset(),
    "db_queries_per_request": frozenset({"n_plus_one", "redundant_query"}),
    "n_plus_one": frozenset({"n_plus_one"}),
    "unpaginated_endpoints": frozenset({"unpaginated_endpoint", "unpaginated_query"}),
    "missing_indexes": frozenset({"missing_index"}),
    "cache_hit_ratio": frozenset(),
}
PER_ENDPOINT = 5  # findings named per endpoint
TIME_SHARE = 0.8  # throughput: the endpoints holding this share of the users' time
MAX_ENDPOINTS = 3


@dataclass(frozen=True, slots=True)
class Blame:
    """One endpoint (or namespace) a failure is on, and the findings that explain it there."""

    where: str | None
    observed: float | None
    findings: tuple[Finding, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.where,
            "observed": self.observed,
            "findings": [f.id for f in self.findings],
            "text": self.text,
        }


def finding_endpoints(finding: Finding) -> list[str]:
    """The endpoint keys a finding is about: its own, or those its evidence lists."""
    if finding.endpoint:
        return [finding.endpoint]
    listed = finding.evidence.get("endpoints")
    if isinstance(listed, list | tuple):
        return [str(e) for e in listed if e]
    return []


def on_endpoint(finding: Finding, scope: str) -> bool:
    return any(endpoint_matches(scope, key) for key in finding_endpoints(finding))


def attribute(
    outcomes: Sequence[Outcome],
    findings: Sequence[Finding],
    *,
    sources: Sequence[MetricSource],
    endpoints: Sequence[EndpointStats],
    caveats: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """The outcomes with ``extra["attribution"]`` (and ``extra["caveats"]``) on failed ones."""
    keys = sorted(
        {e.endpoint for e in endpoints} | {k for f in findings for k in finding_endpoints(f)}
    )
    attributed = []
    for outcome in outcomes:
        if outcome.status != "fail":
            attributed.append(outcome)
            continue
        blames = blame(outcome, findings, sources=sources, endpoints=endpoints, keys=keys)
        extra: dict[str, Any] = {**outcome.extra, "attribution": [b.to_dict() for b in blames]}
        caveat = (caveats or {}).get(outcome.threshold.metric)
        if caveat:
            extra["caveats"] = [caveat]
        attributed.append(replace(outcome, extra=extra))
    return attributed


def blame(
    outcome: Outcome,
    findings: Sequence[Finding],
    *,
    sources: Sequence[MetricSource],
    endpoints: Sequence[EndpointStats],
    keys: Sequence[str],
) -> list[Blame]:
    threshold = outcome.threshold
    kinds = EXPLAINS.get(threshold.metric, frozenset())
    relevant = [f for f in findings if f.kind in kinds]
    if threshold.metric == "missing_indexes":
        namespace = threshold.scope_value("namespace")
        chosen = [f for f in relevant if namespace is None or f.namespace == namespace]
        text = describe(threshold, outcome.observed, namespace)
        return [_blame(namespace, outcome.observed, chosen, text)]
    scope = threshold.scope_value("endpoint")
    if scope is not None:
        places = [(scope, outcome.observed)]
    elif threshold.metric == "http_reqs":
        places = time_holders(endpoints)
    elif threshold.metric in EXPLAINS and "endpoint" in METRICS[threshold.metric].scopes:
        places = failing_endpoints(threshold, sources, keys)
    else:
        places = []
    blames = []
    for where, observed in places:
        chosen = [f for f in relevant if on_endpoint(f, where)]
        blames.append(_blame(where, observed, chosen, describe(threshold, observed, where)))
    return blames


def _blame(
    where: str | None, observed: float | None, chosen: Iterable[Finding], head: str
) -> Blame:
    ranked = fix_first(chosen, limit=PER_ENDPOINT)
    if ranked:
        text = f"{head}: " + "; ".join(short(f) for f in ranked)
    else:
        text = f"{head}: no finding of this window explains it"
    return Blame(where, observed, tuple(ranked), text)


def failing_endpoints(
    threshold: Threshold, sources: Sequence[MetricSource], keys: Sequence[str]
) -> list[tuple[str, float | None]]:
    """The endpoints that fail the threshold on their own, worst first."""
    failing = []
    for key in keys:
        scoped = replace(threshold, scope=(("endpoint", key),))
        result = evaluate([scoped], sources)[0]
        if result.status == "fail":
            failing.append((key, result.observed))
    descending = not threshold.operator.startswith(">")
    failing.sort(key=lambda item: (item[1] or 0.0) * (-1 if descending else 1))
    return failing


def time_holders(endpoints: Sequence[EndpointStats]) -> list[tuple[str, float | None]]:
    """The endpoints where the users spent most of their time (requests × average), which is
    what limits a closed-loop generator's throughput; each with its own req/s."""
    spent = [(e.requests * (e.avg_ms or 0.0), e) for e in endpoints if e.requests]
    total = sum(time for time, _ in spent)
    if total <= 0:
        return []
    holders: list[tuple[str, float | None]] = []
    covered = 0.0
    for time, stats in sorted(spent, key=lambda item: -item[0]):
        holders.append((stats.endpoint, stats.rps))
        covered += time
        if covered >= TIME_SHARE * total or len(holders) >= MAX_ENDPOINTS:
            break
    return holders


def describe(threshold: Threshold, observed: float | None, where: str | None) -> str:
    """``p(95) 1,840 ms > 500 on GET /api/itineraries/{id}``."""
    label = f"p({threshold.percentile:g})" if threshold.percentile else threshold.aggregation
    place = f" on {where}" if where else ""
    if observed is None:
        return f"{threshold.metric} {label}{place}"
    if threshold.metric == "http_reqs" and threshold.scope_value("endpoint") is None:
        return f"{label} {human(threshold, observed)} req/s{place} (most of the users' time)"
    relation = ">" if observed > threshold.value else "<" if observed < threshold.value else "="
    target = human(threshold, threshold.value, unit=False)
    return f"{label} {human(threshold, observed)} {relation} {target}{place}"


def human(threshold: Threshold, value: float, *, unit: bool = True) -> str:
    kind = METRICS[threshold.metric].unit
    if kind == "ms":
        text = f"{value:,.0f}" if value >= 10 else f"{value:,.1f}"
        return f"{text} ms" if unit else text
    if kind == "ratio":
        return f"{value * 100:.1f} %" if unit else f"{value:g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def short(finding: Finding) -> str:
    """A finding in a few words, with its numbers."""
    ev = finding.evidence
    ns = finding.namespace or "?"
    if finding.kind == "n_plus_one":
        text = f"N+1 on {ns} ({_num(ev.get('median_queries'))} queries/request"
        share = _share(ev.get("requests"), ev.get("endpoint_requests"))
        return text + (f", {share} of requests)" if share else ")")
    if finding.kind == "redundant_query":
        return (
            f"redundant query on {ns} ({_num(ev.get('median_copies'))}× per request, "
            f"{_num(ev.get('wasted_ms'))} ms wasted)"
        )
    if finding.kind == "unpaginated_query":
        if not ev.get("max_returned") and ev.get("getmore_returned"):
            return (
                f"unpaginated query on {ns} ({_num(ev.get('getmore_returned'))} documents in "
                f"{_num(ev.get('getmores'))} getMore batches)"
            )
        return f"unpaginated query on {ns} (up to {_num(ev.get('max_returned'))} documents)"
    if finding.kind == "unpaginated_endpoint":
        return f"unpaginated list ({_num(ev.get('items'))} items in one response)"
    if finding.kind == "uncompressed_response":
        return f"uncompressed response ({_num(ev.get('response_bytes'))} bytes)"
    if finding.kind == "missing_index" and finding.index:
        fields = ", ".join(f"{field}: {direction}" for field, direction in finding.index)
        return f"missing index on {ns} {{{fields}}}"
    if finding.kind == "time_outside_db":
        return (
            f"time outside the database (MongoDB {_num(ev.get('db_ms_per_request'))} ms of "
            f"{_num(ev.get('avg_ms'))} ms per request)"
        )
    return finding.summary


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "?"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _share(part: Any, whole: Any) -> str | None:
    if not isinstance(part, int | float) or not isinstance(whole, int | float) or whole <= 0:
        return None
    return f"{round(100 * part / whole)} %"
