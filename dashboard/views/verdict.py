"""The latest verdict against every target: for each threshold in force, the newest measured
outcome from the stored load runs and reports, with where the figure came from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.views.timefmt import when
from perfsight.reports.layout import STATUS_LABELS, fmt
from perfsight.store import Store
from perfsight.store.history import finished_runs, run_outcomes
from perfsight.store.reports import list_reports
from perfsight.thresholds import METRICS, Threshold, status_counts

# What measures each metric, said to the user when nothing has yet.
_MEASURED_BY = {
    "http_req_duration": "a load run (Load runs page or perfsight loadcheck)",
    "http_reqs": "a load run",
    "http_req_failed": "a load run, or Prometheus in a report",
    "cache_hit_ratio": "Redis or the app's cache counters during a load run or a report",
    "db_queries_per_request": "the MongoDB profiler during a load run or a report",
    "n_plus_one": "the MongoDB profiler during a load run or a report",
    "unpaginated_endpoints": "the profiler or the HTTP probe (perfsight analyze --probe)",
    "missing_indexes": "perfsight analyze on a profile file or a mongod log",
}
# Plain symbols (emoji fonts are missing on many servers and headless browsers), as in reports.
_SYMBOL = STATUS_LABELS


@dataclass(frozen=True, slots=True)
class Measurement:
    """The outcomes one load run or report produced."""

    origin: str  # "load run 1a2b3c4d (failed)" | "report 9f8e7d6c"
    at: float
    outcomes: Sequence[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class TargetRow:
    target: str
    status: str
    observed: str
    expected: str
    source: str
    measured: str

    @property
    def label(self) -> str:
        return _SYMBOL.get(self.status, self.status)

    def as_row(self) -> dict[str, str]:
        return {
            "target": self.target,
            "status": self.label,
            "observed": self.observed,
            "expected": self.expected,
            "source": self.source,
            "measured": self.measured,
        }


def measurements(store: Store, *, runs: int = 20, reports: int = 5) -> list[Measurement]:
    """The outcomes of the latest finished runs and reports, newest first."""
    recent = finished_runs(store, limit=runs)
    by_run = run_outcomes(store, [r.id for r in recent])
    found = [
        Measurement(f"load run {r.id[:8]} ({r.status})", r.ended_at or r.started_at, by_run[r.id])
        for r in recent
        if by_run.get(r.id)
    ]
    for report in list_reports(store, limit=reports):
        outcomes = report.summary.get("outcomes")
        if isinstance(outcomes, list) and outcomes:
            found.append(Measurement(f"report {report.id[:8]}", report.created_at, outcomes))
    return sorted(found, key=lambda m: -m.at)


def _value(outcome: Mapping[str, Any], key: str) -> str:
    unit = str(outcome.get("unit") or "")
    value = outcome.get(key)
    if value is None:
        return "—"
    shown = fmt(float(value), unit)
    return shown if unit in ("ratio", "") else f"{shown} {unit}"


def _expected(outcome: Mapping[str, Any]) -> str:
    return f"{outcome.get('stat', '')} {outcome.get('operator', '')} {_value(outcome, 'target')}"


def _row(name: str, outcome: Mapping[str, Any], m: Measurement, now: float | None) -> TargetRow:
    source = m.origin + (f" · {outcome['source']}" if outcome.get("source") else "")
    if outcome.get("detail"):
        source += f" · {outcome['detail']}"
    return TargetRow(
        target=name,
        status=str(outcome.get("status")),
        observed=_value(outcome, "observed"),
        expected=_expected(outcome),
        source=source,
        measured=when(m.at, now),
    )


def _unmeasured(threshold: Threshold) -> TargetRow:
    spec = METRICS[threshold.metric]
    shown = fmt(threshold.value, spec.unit)
    unit = "" if spec.unit == "ratio" else f" {spec.unit}"
    return TargetRow(
        target=threshold.name,
        status="not_measured",
        observed="—",
        expected=f"{threshold.stat} {threshold.operator} {shown}{unit}",
        source="nothing measured it yet: " + _MEASURED_BY.get(threshold.metric, "a load run"),
        measured="never",
    )


def verdict_rows(
    thresholds: Iterable[Threshold], found: Sequence[Measurement], now: float | None = None
) -> list[TargetRow]:
    """One row per threshold in force (the newest pass/fail outcome, else the newest "not
    measured"), then the newest run's or report's outcomes on targets not in the config."""
    rows: list[TargetRow] = []
    names = []
    for threshold in thresholds:
        names.append(threshold.name)
        rows.append(_newest(threshold.name, found, now) or _unmeasured(threshold))
    if found:
        extra = [o for o in found[0].outcomes if o.get("name") not in names]
        rows += [_row(str(o["name"]), o, found[0], now) for o in extra]
    return rows


def _newest(name: str, found: Sequence[Measurement], now: float | None) -> TargetRow | None:
    fallback = None
    for m in found:
        for outcome in m.outcomes:
            if outcome.get("name") != name:
                continue
            if outcome.get("status") in ("pass", "fail"):
                return _row(name, outcome, m, now)
            fallback = fallback or _row(name, outcome, m, now)
    return fallback


def counts(rows: Iterable[TargetRow]) -> dict[str, int]:
    return status_counts(r.status for r in rows)
