"""Rendering of a load run: live progress, verdict, full result, two runs side by side."""

from __future__ import annotations

import streamlit as st

from dashboard import components as ui
from dashboard.views import runs as view
from dashboard.views.timefmt import when
from perfsight.durations import format_duration
from perfsight.store import Store, runs
from perfsight.store.runs import RunRecord

STATUS = {
    "running": "… running",
    "passed": "✓ passed",
    "failed": "✗ failed",
    "aborted": "■ aborted",
    "error": "! error",
}


def progress_panel(p: view.LiveProgress) -> None:
    remaining = "—" if p.remaining is None else format_duration(p.remaining)
    st.progress(p.fraction, text=f"{format_duration(p.elapsed)} elapsed · {remaining} remaining")
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("req/s (now)", "—" if p.rps is None else f"{p.rps:,.1f}")
    c2.metric("p95 (latest second)", "—" if p.p95_ms is None else f"{p.p95_ms:,.0f} ms")
    errors = "—" if p.error_ratio is None else f"{p.error_ratio:.2%}"
    c3.metric("errors", errors, help=f"{p.failures:,} of {p.requests:,} requests")
    c4.metric("requests", f"{p.requests:,}")
    c5.metric("users", "—" if p.users is None else str(p.users))


def verdict_panel(store: Store, run: RunRecord) -> None:
    st.markdown(f"**Run {run.id[:8]}: {STATUS.get(run.status, run.status)}**")
    if run.error:
        st.error(run.error)
    outcomes = runs.outcomes(store, run.id)
    if outcomes:
        ui.table(view.outcome_rows(outcomes), key=f"verdict-{run.id}")
    elif run.status != "running":
        st.caption("No threshold outcomes were recorded for this run.")


def result_panel(store: Store, run: RunRecord) -> None:
    verdict_panel(store, run)
    tags = ", ".join(f"{k}={v}" for k, v in sorted(run.tags.items())) or "none"
    st.caption(
        f"target {run.target} · started {when(run.started_at)} · "
        f"{format_duration(view.duration(run))} · tags: {tags}"
        + (f" · label: {run.label}" if run.label else "")
    )
    stats = runs.endpoint_stats(store, run.id)
    if stats:
        ui.table(view.endpoint_rows(stats), key=f"endpoints-{run.id}")
    points = view.series_points(runs.series(store, run.id))
    if not points.ts:
        st.caption("No per-second series recorded.")
        return
    left, right = st.columns(2)
    with left:
        ui.lines(
            "Requests per second",
            {"req/s": (points.ts, points.rps)},
            unit="req/s",
            key=f"rps-{run.id}",
        )
        ui.lines(
            "Failures per second",
            {"failures": (points.ts, points.errors)},
            unit="req/s",
            key=f"err-{run.id}",
        )
    with right:
        ui.lines(
            "p95 per second", {"p95": (points.ts, points.p95_ms)}, unit="ms", key=f"p95-{run.id}"
        )
        ui.lines(
            "Users",
            {"users": (points.ts, [float(u) if u is not None else None for u in points.users])},
            unit="users",
            key=f"users-{run.id}",
        )


def compare_panel(store: Store, a: RunRecord, b: RunRecord) -> None:
    st.caption(f"A = {view.run_label(a)} · B = {view.run_label(b)}")
    rows = view.compare_rows(runs.endpoint_stats(store, a.id), runs.endpoint_stats(store, b.id))
    if rows:
        ui.table(
            rows,
            percent=["p95 change", "req/s change", "errors A", "errors B"],
            key="compare-endpoints",
        )
    outcomes = view.compare_outcomes(runs.outcomes(store, a.id), runs.outcomes(store, b.id))
    if outcomes:
        ui.table(outcomes, key="compare-outcomes")
