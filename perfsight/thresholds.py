"""The threshold language: k6 expressions on perfsight's metrics, and their evaluation.

``http_req_duration: ["avg<200", "p(95)<500"]``, scoped ``http_req_duration{endpoint:/api/x}``.
Load checks, reports and the dashboard all read targets through this one module.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from perfsight.durations import parse_duration
from perfsight.errors import ThresholdError

MetricKind = Literal["trend", "rate", "counter", "gauge"]
Status = Literal["pass", "fail", "not_measured"]

# Which aggregations each kind of metric has (k6's rules).
_AGGREGATIONS: dict[str, frozenset[str]] = {
    "trend": frozenset({"avg", "min", "max", "med", "p"}),
    "rate": frozenset({"rate"}),
    "counter": frozenset({"count", "rate"}),
    "gauge": frozenset({"value"}),
}


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    kind: MetricKind
    unit: str
    help: str
    scopes: frozenset[str] = frozenset({"endpoint"})


METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("http_req_duration", "trend", "ms", "HTTP response time in milliseconds."),
        MetricSpec("http_reqs", "counter", "req/s", "Requests; `rate` is requests per second."),
        MetricSpec("http_req_failed", "rate", "ratio", "Share of requests that failed (0–1)."),
        MetricSpec(
            "cache_hit_ratio",
            "gauge",
            "ratio",
            "Cache hits / (hits + misses) over the window (0–1).",
            frozenset({"cache", "instance"}),
        ),
        MetricSpec(
            "db_queries_per_request",
            "trend",
            "queries",
            "Database operations per HTTP request, from the request ids in query comments.",
        ),
        MetricSpec("n_plus_one", "counter", "findings", "N+1 query patterns found."),
        MetricSpec(
            "unpaginated_endpoints", "counter", "findings", "List endpoints without paging."
        ),
        MetricSpec(
            "missing_indexes",
            "counter",
            "findings",
            "Query shapes that need an index.",
            frozenset({"namespace"}),
        ),
    )
}

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "===": operator.eq,
    "!=": operator.ne,
}

_EXPRESSION = re.compile(
    r"""^\s*(?P<agg>avg|min|max|med|rate|count|value|p\(\s*(?P<pct>\d+(?:\.\d+)?)\s*\))
        \s*(?P<op><=|>=|===|==|!=|<|>)\s*
        (?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$""",
    re.VERBOSE,
)
# The scope runs to the last brace: endpoint keys carry braces of their own ({id}).
_METRIC = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\{(?P<scope>.*)\})?\s*$", re.S)


@dataclass(frozen=True, slots=True)
class Threshold:
    metric: str
    aggregation: str  # avg | min | max | med | p | rate | count | value
    operator: str
    value: float
    expression: str
    percentile: float | None = None
    scope: tuple[tuple[str, str], ...] = ()
    abort_on_fail: bool = False
    delay_abort_eval: float = 0.0

    @property
    def target(self) -> str:
        """The metric with its scope, as written: ``http_req_duration{endpoint:/api/x}``."""
        if not self.scope:
            return self.metric
        inner = ",".join(f"{key}:{value}" for key, value in self.scope)
        return f"{self.metric}{{{inner}}}"

    @property
    def name(self) -> str:
        return f"{self.target} {self.expression}"

    @property
    def stat(self) -> str:
        """The statistic to observe: ``avg``, ``p95``, ``p99.9``, ``rate``, ``count``, ``value``…"""
        if self.aggregation == "p":
            assert self.percentile is not None
            return f"p{_format_number(self.percentile)}"
        return self.aggregation

    def scope_value(self, key: str) -> str | None:
        return next((value for k, value in self.scope if k == key), None)

    def passes(self, observed: float) -> bool:
        return _OPERATORS[self.operator](observed, self.value)

    def evaluate(
        self, observed: float | None, *, source: str | None = None, detail: str | None = None
    ) -> Outcome:
        """``observed`` None (or NaN) means nothing measured it: ``not_measured``, never a pass."""
        if observed is None or (isinstance(observed, float) and math.isnan(observed)):
            return Outcome(self, "not_measured", None, source, detail)
        status: Status = "pass" if self.passes(observed) else "fail"
        return Outcome(self, status, float(observed), source, detail)


@dataclass(frozen=True, slots=True)
class Outcome:
    threshold: Threshold
    status: Status
    observed: float | None
    source: str | None = None
    detail: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        t = self.threshold
        return {
            "name": t.name,
            "metric": t.metric,
            "scope": dict(t.scope),
            "expression": t.expression,
            "stat": t.stat,
            "operator": t.operator,
            "target": t.value,
            "unit": METRICS[t.metric].unit,
            "status": self.status,
            "observed": self.observed,
            "source": self.source,
            "detail": self.detail,
            **({"extra": dict(self.extra)} if self.extra else {}),
        }


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def parse_expression(
    target: str, expression: str, *, abort_on_fail: bool = False, delay_abort_eval: float = 0.0
) -> Threshold:
    """One threshold: ``target`` is ``metric`` or ``metric{key:value,…}``, ``expression`` k6's."""
    metric_match = _METRIC.match(target)
    if metric_match is None:
        raise ThresholdError(
            f"{target!r} is not a metric name (write e.g. http_req_duration or "
            "http_req_duration{endpoint:/api/bookings})",
            source=f"threshold {target!r}",
        )
    metric = metric_match.group("name")
    spec = METRICS.get(metric)
    if spec is None:
        known = ", ".join(sorted(METRICS))
        raise ThresholdError(f"unknown metric {metric!r}; known: {known}", source="threshold")
    scope = _parse_scope(metric_match.group("scope"), spec)
    match = _EXPRESSION.match(expression)
    if match is None:
        raise ThresholdError(
            f"cannot parse {expression!r}: write AGGREGATION OPERATOR NUMBER, e.g. avg<200, "
            "p(95)<500, med<=100, rate<0.01, count==0, value>0.7",
            source=f"threshold on {target}",
        )
    aggregation = match.group("agg")
    percentile = None
    if aggregation.startswith("p("):
        aggregation = "p"
        percentile = float(match.group("pct"))
        if not 0 < percentile <= 100:
            raise ThresholdError(
                f"percentile in {expression!r} must be in (0, 100]", source=f"threshold on {target}"
            )
    if aggregation not in _AGGREGATIONS[spec.kind]:
        allowed = ", ".join(sorted("p(N)" if a == "p" else a for a in _AGGREGATIONS[spec.kind]))
        raise ThresholdError(
            f"{expression!r}: {metric} is a {spec.kind} metric; its aggregations are {allowed}",
            source=f"threshold on {target}",
        )
    return Threshold(
        metric=metric,
        aggregation=aggregation,
        operator=match.group("op"),
        value=float(match.group("value")),
        expression=re.sub(r"\s+", "", expression),
        percentile=percentile,
        scope=scope,
        abort_on_fail=abort_on_fail,
        delay_abort_eval=delay_abort_eval,
    )


def _parse_scope(text: str | None, spec: MetricSpec) -> tuple[tuple[str, str], ...]:
    if text is None or not text.strip():
        return ()
    pairs = []
    for part in _split_top_level(text):
        key, sep, value = part.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ThresholdError(
                f"scope {{{text}}} must be key:value pairs, e.g. {{endpoint:/api/bookings}}",
                source=f"threshold on {spec.name}",
            )
        if key not in spec.scopes:
            allowed = ", ".join(sorted(spec.scopes))
            raise ThresholdError(
                f"{spec.name} cannot be scoped by {key!r}; it can be scoped by {allowed}",
                source=f"threshold on {spec.name}",
            )
        pairs.append((key, value))
    return tuple(pairs)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside braces: ``endpoint:GET /a/{id},cache:x`` → two parts."""
    parts, depth, start = [], 0, 0
    for pos, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:pos])
            start = pos + 1
    parts.append(text[start:])
    return parts


def _target_end(text: str) -> int:
    """Where the ``metric{scope}`` part of ``metric{scope}=expr`` ends (braces may nest)."""
    depth = 0
    for pos, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "=" and depth == 0:
            return pos
    return -1


def parse_entry(target: str, entry: str | Mapping[str, Any]) -> Threshold:
    """A list item of a ``[thresholds]`` table: a string, or k6's long form
    ``{threshold = "p(95)<500", abortOnFail = true, delayAbortEval = "10s"}``."""
    if isinstance(entry, str):
        return parse_expression(target, entry)
    if isinstance(entry, Mapping):
        unknown = set(entry) - {
            "threshold",
            "abortOnFail",
            "abort_on_fail",
            "delayAbortEval",
            "delay_abort_eval",
        }
        if unknown or "threshold" not in entry:
            raise ThresholdError(
                'a long-form threshold is {threshold = "p(95)<500", abortOnFail = true, '
                f'delayAbortEval = "10s"}}; got keys {sorted(entry)}',
                source=f"threshold on {target}",
            )
        abort = entry.get("abortOnFail", entry.get("abort_on_fail", False))
        delay = entry.get("delayAbortEval", entry.get("delay_abort_eval", 0))
        if not isinstance(abort, bool):
            raise ThresholdError(
                f"abortOnFail must be true or false, not {abort!r}", source=f"threshold on {target}"
            )
        try:
            delay_seconds = parse_duration(delay)
        except ValueError as exc:
            raise ThresholdError(str(exc), source=f"threshold on {target}") from exc
        return parse_expression(
            target, str(entry["threshold"]), abort_on_fail=abort, delay_abort_eval=delay_seconds
        )
    raise ThresholdError(
        f"a threshold is a string or a table, not {type(entry).__name__}",
        source=f"threshold on {target}",
    )


def parse_table(table: Mapping[str, Any]) -> list[Threshold]:
    """A whole ``[thresholds]`` table: ``{metric[{scope}]: [expression, …]}``."""
    thresholds: list[Threshold] = []
    for target, entries in table.items():
        items = [entries] if isinstance(entries, str | Mapping) else entries
        if not isinstance(items, list | tuple):
            raise ThresholdError(
                f"expected a list of expressions, got {entries!r}", source=f"threshold {target}"
            )
        thresholds.extend(parse_entry(target, item) for item in items)
    return thresholds


def parse_cli(text: str) -> Threshold:
    """The command-line form ``METRIC[{scope}]=EXPR``, e.g. ``http_req_duration=p(95)<200``."""
    split_at = _target_end(text)
    if split_at <= 0:
        raise ThresholdError(
            f"{text!r}: write METRIC=EXPRESSION, e.g. 'http_req_duration=p(95)<200' or "
            "'http_req_duration{endpoint:/api/bookings}=p(95)<300'",
            source="--threshold",
        )
    return parse_expression(text[:split_at], text[split_at + 1 :])


# The seed's acceptance criteria: the targets of the optimisation plan perfsight comes from.
SEED_PROFILE: dict[str, list[str]] = {
    "http_req_duration": ["avg<200", "p(95)<500"],
    "http_reqs": ["rate>500"],
    "http_req_failed": ["rate<0.01"],
    "cache_hit_ratio": ["value>0.70"],
    "db_queries_per_request": ["avg<=5"],
    "n_plus_one": ["count==0"],
    "unpaginated_endpoints": ["count==0"],
}
PROFILES: dict[str, dict[str, list[str]]] = {"seed": SEED_PROFILE, "none": {}}


def profile(name: str) -> list[Threshold]:
    if name not in PROFILES:
        raise ThresholdError(
            f"unknown threshold profile {name!r}; known: {', '.join(PROFILES)}",
            source="--profile",
        )
    return parse_table(PROFILES[name])


STATUSES: tuple[Status, ...] = ("pass", "fail", "not_measured")


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many of each status: ``{"pass": 3, "fail": 1, "not_measured": 0}``."""
    seen = list(statuses)
    return {status: seen.count(status) for status in STATUSES}


def overall_status(outcomes: Iterable[Outcome]) -> Status:
    """``fail`` if any threshold failed; ``pass`` only if every threshold was measured and passed;
    ``not_measured`` when something was not measured and nothing failed."""
    statuses = {outcome.status for outcome in outcomes}
    if "fail" in statuses:
        return "fail"
    if "not_measured" in statuses:
        return "not_measured"
    return "pass"
