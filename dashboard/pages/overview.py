"""Overview: the latest verdict against every target, what to fix first, trends, source health."""

from __future__ import annotations

import time

import streamlit as st

from dashboard import components as ui
from dashboard import state
from dashboard.views import findings as finding_view
from dashboard.views import health, trends, verdict
from perfsight.store import findings

TREND_WINDOWS = {"24 hours": 86400.0, "7 days": 7 * 86400.0, "30 days": 30 * 86400.0}
EMPTY_TREND = {
    trends.P95: "No latency history: run load checks, or set [prometheus] url and run "
    "perfsight collect.",
    trends.RPS: "No throughput history: run load checks, or set [prometheus] url and run "
    "perfsight collect.",
    trends.CACHE: "No cache history: set [redis] url (or export cache_requests_total to "
    "Prometheus) and run perfsight collect.",
    trends.QPR: "No queries-per-request figures: they come from load runs and reports that read "
    "the MongoDB profiler ([mongo] profile_files).",
}

settings, store = state.settings(), state.store()
now = time.time()
st.title("Overview")

st.subheader("Verdict")
rows = verdict.verdict_rows(settings.threshold_list(), verdict.measurements(store), now)
if rows:
    count = verdict.counts(rows)
    c1, c2, c3 = st.columns(3)
    c1.metric("Targets met", count["pass"])
    c2.metric("Targets missed", count["fail"])
    c3.metric("Not measured", count["not_measured"])
    ui.table(
        [r.as_row() for r in rows],
        key="verdict",
    )
else:
    st.info('No targets: add a [thresholds] table or set [load] profile = "seed".')

st.subheader("Fix first")
open_findings = findings.list_findings(store)
top = finding_view.fix_first_rows([s.finding for s in open_findings])
if top:
    ui.table(top, key="fix-first")
    with st.expander("Fix commands to copy"):
        for item in top:
            st.caption(f"{item['#']}. {item['finding']}")
            st.code(item["fix"], language=None)
else:
    st.info(
        "No open findings. Run perfsight analyze on a profile file or a mongod log "
        "([mongo] profile_files), or a load run, to find what to fix."
    )

st.subheader("Trends")
window = st.selectbox("Over the last", list(TREND_WINDOWS), index=1, key="trend-window")
points = trends.by_metric(trends.trend_points(store, since=now - TREND_WINDOWS[window]))
left, right = st.columns(2)
for i, metric in enumerate(trends.METRICS):
    with left if i % 2 == 0 else right:
        if not points[metric]:
            st.info(EMPTY_TREND[metric])
            continue
        series: dict[str, tuple[list[float], list[float | None]]] = {}
        for p in points[metric]:
            xs, ys = series.setdefault(p.series, ([], []))
            xs.append(p.ts)
            ys.append(p.value)
        ui.lines(metric, series, unit=metric, percent=metric == trends.CACHE, markers=True)

st.subheader("Source health")
sources = health.source_rows(store, settings, now, secrets=state.secrets())
scheduler = health.scheduler_row(store, settings, now)
for row in health.down([*sources, scheduler]):
    ui.source_down(row.source, row.detail)
if sources:
    ui.table(
        [r.as_row() for r in sources],
        key="sources",
    )
else:
    st.info(
        "No source configured: set [redis] url and [prometheus] url, then run perfsight collect."
    )
st.markdown(
    f"**Scheduler** — {scheduler.status}; last heartbeat {scheduler.last_success}. "
    f"{scheduler.detail}"
)
jobs = health.job_rows(store, now)
if jobs:
    ui.table(jobs, key="jobs")
