"""A baseline run to compare with (``--baseline last-pass|<run id>``): regression rules added to
the thresholds — each endpoint's p95 no worse than +10 %, req/s no lower than −10 %
(``[load] baseline_p95_tolerance``, ``baseline_rps_tolerance``) — and the differences shown.

``last-pass`` is the latest passed run carrying the same tags as this one (``git_commit``
aside: it differs by design), e.g. the same ``environment``. No such run is not an error — the
first run of an environment has nothing to compare with, and says so. A run id that does not
exist, or has no figures, is (exit 2, before anything is recorded or sent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from loadruns.result import EndpointStats
from perfsight.errors import ConfigError
from perfsight.models import from_epoch, iso
from perfsight.store import Store, runs
from perfsight.store.runs import TOTAL
from perfsight.thresholds import Outcome, Threshold

LAST_PASS = "last-pass"
AUTOMATIC_TAGS = frozenset({"git_commit"})
MIN_SLACK_MS = 1.0  # the figures' resolution: a 0 ms p95 may still become 1 ms


@dataclass(frozen=True, slots=True)
class Baseline:
    run_id: str
    label: str | None
    started_at: float
    tags: Mapping[str, str]
    rows: Mapping[str, Mapping[str, Any]]  # endpoint (and "Total") -> its stored figures
    p95_tolerance: float
    rps_tolerance: float

    def rules(self) -> list[Threshold]:
        rules = []
        for endpoint, row in sorted(self.rows.items()):
            p95 = row.get("p95_ms")
            if endpoint == TOTAL or p95 is None:
                continue
            limit = round(max(p95 * (1 + self.p95_tolerance), p95 + MIN_SLACK_MS), 1)
            rules.append(
                Threshold(
                    metric="http_req_duration",
                    aggregation="p",
                    operator="<=",
                    value=limit,
                    expression=f"p(95)<={limit:g}",
                    percentile=95.0,
                    scope=(("endpoint", endpoint),),
                )
            )
        rps = (self.rows.get(TOTAL) or {}).get("rps")
        if rps:
            floor = round(rps * (1 - self.rps_tolerance), 2)
            rules.append(
                Threshold(
                    metric="http_reqs",
                    aggregation="rate",
                    operator=">=",
                    value=floor,
                    expression=f"rate>={floor:g}",
                )
            )
        return rules

    def before(self, threshold: Threshold) -> float | None:
        endpoint = threshold.scope_value("endpoint") or TOTAL
        field = "p95_ms" if threshold.metric == "http_req_duration" else "rps"
        value = (self.rows.get(endpoint) or {}).get(field)
        return float(value) if value is not None else None

    def describe(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "label": self.label,
            "started_at": iso(from_epoch(self.started_at)),
            "tags": dict(self.tags),
            "p95_tolerance": self.p95_tolerance,
            "rps_tolerance": self.rps_tolerance,
        }


def resolve(
    store: Store,
    spec: str,
    tags: Mapping[str, str],
    *,
    p95_tolerance: float,
    rps_tolerance: float,
) -> tuple[Baseline | None, str | None]:
    """The baseline ``spec`` names, or (None, why) when ``last-pass`` finds none."""
    if spec == LAST_PASS:
        wanted = {k: v for k, v in tags.items() if k not in AUTOMATIC_TAGS}
        for record in runs.list_runs(store, status="passed", tags=wanted, limit=50):
            rows = _rows(store, record.id)
            if rows:
                return _baseline(record, rows, p95_tolerance, rps_tolerance), None
        shown = ", ".join(f"{k}={v}" for k, v in sorted(wanted.items())) or "no tags"
        return None, f"no passed run with the same tags ({shown}) to compare with: no baseline"
    found = runs.get_run(store, spec)
    if found is None:
        raise ConfigError(f"no run with id {spec!r} in the store", source="--baseline")
    if found.status in ("running", "error"):
        raise ConfigError(
            f"run {spec} is {found.status}: a baseline needs a finished run", source="--baseline"
        )
    rows = _rows(store, spec)
    if not rows:
        raise ConfigError(f"run {spec} has no per-endpoint figures", source="--baseline")
    return _baseline(found, rows, p95_tolerance, rps_tolerance), None


def _rows(store: Store, run_id: str) -> dict[str, dict[str, Any]]:
    return {row["endpoint"]: row for row in runs.endpoint_stats(store, run_id) if row["requests"]}


def _baseline(
    record: runs.RunRecord, rows: dict[str, dict[str, Any]], p95_tol: float, rps_tol: float
) -> Baseline:
    return Baseline(
        run_id=record.id,
        label=record.label,
        started_at=record.started_at,
        tags=dict(record.tags),
        rows=rows,
        p95_tolerance=p95_tol,
        rps_tolerance=rps_tol,
    )


def mark(outcomes: Sequence[Outcome], baseline: Baseline) -> list[Outcome]:
    """The outcomes of the baseline's rules, with what they compare in ``extra["baseline"]``."""
    rules = set(baseline.rules())
    marked = []
    for outcome in outcomes:
        if outcome.threshold not in rules:
            marked.append(outcome)
            continue
        before = baseline.before(outcome.threshold)
        change = _relative(before, outcome.observed)
        extra = {
            **outcome.extra,
            "baseline": {"run_id": baseline.run_id, "before": before, "change": change},
        }
        marked.append(replace(outcome, extra=extra))
    return marked


def differences(baseline: Baseline, stats: Iterable[EndpointStats]) -> list[dict[str, Any]]:
    """Per endpoint (and Total): p95, req/s and failure rate before and now, with the change."""
    now = {s.endpoint: s for s in stats}
    rows = []
    for endpoint in sorted(set(now) | set(baseline.rows), key=lambda k: (k == TOTAL, k)):
        old = baseline.rows.get(endpoint) or {}
        new = now.get(endpoint)
        old_rate = old["failures"] / old["requests"] if old.get("requests") else None
        rows.append(
            {
                "endpoint": endpoint,
                "p95_before": old.get("p95_ms"),
                "p95_now": new.p95_ms if new else None,
                "p95_change": _relative(old.get("p95_ms"), new.p95_ms if new else None),
                "rps_before": old.get("rps"),
                "rps_now": new.rps if new else None,
                "rps_change": _relative(old.get("rps"), new.rps if new else None),
                "failure_rate_before": old_rate,
                "failure_rate_now": new.failure_rate if new else None,
                "status": "new" if not old else "gone" if new is None else "both",
            }
        )
    return rows


def _relative(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / before, 4)
