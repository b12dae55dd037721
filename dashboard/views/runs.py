"""The Load runs page's figures: the list of runs, a running run's live progress, a finished
run's result, and two runs side by side. Everything is read from the store, which the run's
own process writes every second or two — so any viewer, after any refresh, sees the same."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.views.timefmt import when
from perfsight.durations import format_duration
from perfsight.store import Store, runs
from perfsight.store.history import run_totals
from perfsight.store.runs import TOTAL, RunRecord, SeriesRow

LIVE_WINDOW = 3  # seconds of series the "current" figures are taken over


def _ratio(failures: float, requests: float) -> float | None:
    return failures / requests if requests else None


def _tags(run: RunRecord) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(run.tags.items()))


def duration(run: RunRecord, now: float | None = None) -> float:
    end = run.ended_at if run.ended_at is not None else (time.time() if now is None else now)
    return max(0.0, end - run.started_at)


def run_rows(store: Store, *, limit: int = 100, now: float | None = None) -> list[dict[str, Any]]:
    records = runs.list_runs(store, limit=limit)
    totals = run_totals(store, [r.id for r in records])
    rows = []
    for r in records:
        total = totals.get(r.id, {})
        rows.append(
            {
                "run": r.id,
                "label": r.label or "",
                "status": r.status,
                "started": when(r.started_at, now),
                "duration": format_duration(duration(r, now)),
                "target": r.target or "—",
                "requests": total.get("requests"),
                "p95 (ms)": total.get("p95_ms"),
                "req/s": total.get("rps"),
                "errors": _ratio(total.get("failures") or 0, total.get("requests") or 0),
                "tags": _tags(r),
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class LiveProgress:
    run_id: str
    status: str
    elapsed: float
    planned: float | None
    requests: int
    failures: int
    rps: float | None  # over the last few complete seconds
    p95_ms: float | None  # the latest second's
    users: int | None

    @property
    def remaining(self) -> float | None:
        return None if self.planned is None else max(0.0, self.planned - self.elapsed)

    @property
    def fraction(self) -> float:
        if not self.planned:
            return 0.0
        return min(1.0, self.elapsed / self.planned)

    @property
    def error_ratio(self) -> float | None:
        return _ratio(self.failures, self.requests)


def _planned(run: RunRecord) -> float | None:
    value = run.settings.get("planned_duration_s")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def progress(store: Store, run: RunRecord, now: float | None = None) -> LiveProgress:
    rows = runs.series(store, run.id)
    # The last row may be a second still being counted: the rate uses the complete ones.
    complete = rows[:-1] if run.status == "running" and len(rows) > 1 else rows
    recent = complete[-LIVE_WINDOW:]
    rps = sum(r.requests for r in recent) / len(recent) if recent else None
    last = rows[-1] if rows else None
    return LiveProgress(
        run_id=run.id,
        status=run.status,
        elapsed=duration(run, now),
        planned=_planned(run),
        requests=sum(r.requests for r in rows),
        failures=sum(r.failures for r in rows),
        rps=rps,
        p95_ms=next((r.p95_ms for r in reversed(rows) if r.p95_ms is not None), None),
        users=last.users if last else None,
    )


def endpoint_rows(stats: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per-endpoint figures, the whole run (``Total``) last."""
    ordered = sorted(stats, key=lambda s: (s["endpoint"] == TOTAL, s["endpoint"]))
    return [
        {
            "endpoint": s["endpoint"],
            "requests": s["requests"],
            "failures": s["failures"],
            "avg (ms)": s.get("avg_ms"),
            "med (ms)": s.get("med_ms"),
            "p90 (ms)": s.get("p90_ms"),
            "p95 (ms)": s.get("p95_ms"),
            "p99 (ms)": s.get("p99_ms"),
            "max (ms)": s.get("max_ms"),
            "req/s": s.get("rps"),
        }
        for s in ordered
    ]


def attribution(outcome: Mapping[str, Any]) -> list[str]:
    """What the run found to explain a failed threshold (load runs with backend watching add
    it to the outcome's ``extra``), as lines."""
    extra = outcome.get("extra") or {}
    items = extra.get("attribution") or []
    lines = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping):
            lines.append(str(item.get("summary") or item.get("text") or item))
        else:
            lines.append(str(item))
    return lines


def outcome_rows(outcomes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "threshold": o.get("name"),
            "status": o.get("status"),
            "observed": o.get("observed"),
            "target": f"{o.get('operator', '')} {o.get('target', '')}",
            "unit": o.get("unit"),
            "source": o.get("source") or "",
            "explained by": "; ".join(attribution(o)),
        }
        for o in sorted(outcomes, key=lambda o: (o.get("status") != "fail", str(o.get("name"))))
    ]


@dataclass(frozen=True, slots=True)
class SeriesPoints:
    ts: list[float]
    rps: list[float]
    p95_ms: list[float | None]
    errors: list[float]
    users: list[int | None]


def series_points(rows: Sequence[SeriesRow]) -> SeriesPoints:
    return SeriesPoints(
        ts=[r.ts for r in rows],
        rps=[float(r.requests) for r in rows],
        p95_ms=[r.p95_ms for r in rows],
        errors=[float(r.failures) for r in rows],
        users=[r.users for r in rows],
    )


def _delta(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or a == 0:
        return None
    return (b - a) / a


def compare_rows(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Endpoint by endpoint: p95 and req/s of run A and run B with the relative change."""
    by_a = {s["endpoint"]: s for s in a}
    by_b = {s["endpoint"]: s for s in b}
    names = sorted(set(by_a) | set(by_b), key=lambda n: (n == TOTAL, n))
    rows = []
    for name in names:
        sa, sb = by_a.get(name, {}), by_b.get(name, {})
        rows.append(
            {
                "endpoint": name,
                "p95 A (ms)": sa.get("p95_ms"),
                "p95 B (ms)": sb.get("p95_ms"),
                "p95 change": _delta(sa.get("p95_ms"), sb.get("p95_ms")),
                "req/s A": sa.get("rps"),
                "req/s B": sb.get("rps"),
                "req/s change": _delta(sa.get("rps"), sb.get("rps")),
                "errors A": _ratio(sa.get("failures") or 0, sa.get("requests") or 0),
                "errors B": _ratio(sb.get("failures") or 0, sb.get("requests") or 0),
            }
        )
    return rows


def compare_outcomes(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    by_a = {o["name"]: o for o in a}
    by_b = {o["name"]: o for o in b}
    return [
        {
            "threshold": name,
            "A": by_a.get(name, {}).get("status", "—"),
            "observed A": by_a.get(name, {}).get("observed"),
            "B": by_b.get(name, {}).get("status", "—"),
            "observed B": by_b.get(name, {}).get("observed"),
        }
        for name in sorted(set(by_a) | set(by_b))
    ]


def run_label(run: RunRecord) -> str:
    label = f" {run.label}" if run.label else ""
    return f"{run.id[:8]}{label} · {run.status} · {when(run.started_at)}"
