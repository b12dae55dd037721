"""Queries: query shapes like a query-analytics view, and one shape's detail."""

from __future__ import annotations

import streamlit as st

from dashboard import components as ui
from dashboard import state
from dashboard.picker import time_range
from dashboard.views import health
from dashboard.views import queries as view
from dashboard.views.findings import fix_command

settings, store = state.settings(), state.store()
st.title("Queries")
for row in health.down(health.source_rows(store, settings, secrets=state.secrets())):
    if row.source.startswith("profile:"):  # the profile files this page's shapes come from
        ui.source_down(row.source, row.detail)
since, until = time_range("queries", default="7 days")
c1, c2 = st.columns([2, 1])
sort = c1.selectbox("Sort by", view.SORT_NAMES, key="q-sort")
limit = int(c2.number_input("Shapes shown", min_value=10, value=100, step=50, key="q-limit"))
listed = view.query_list(store, since=since, until=until, sort=sort, limit=limit)
if not listed.shapes:
    st.info(
        "No query shapes in this range. Run perfsight analyze --profile-file FILE (or --log "
        "mongod.log) on what the MongoDB profiler recorded ([mongo] profile_files), or let "
        "perfsight collect read the profile files as they grow."
    )
    st.stop()
shown = listed.shapes
st.caption(
    f"{listed.total_shapes:,} shapes, {listed.total_operations:,} operations in the range; "
    f"the top {len(shown)}."
)
ui.table(view.shape_rows(shown), key="shapes")

st.subheader("Shape detail")
by_label = {view.label(s): s for s in shown}
detail = view.detail(
    store,
    by_label[st.selectbox("Shape", list(by_label), key="q-shape")].id,
    since=since,
    until=until,
)
chosen = detail.total
st.code(chosen.fingerprint, language=None)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Operations", f"{chosen.count:,}")
c2.metric("Total time", f"{chosen.total_millis:,.0f} ms")
c3.metric("p95", "—" if chosen.p95_millis is None else f"{chosen.p95_millis:,.0f} ms")
ratio = chosen.scan_ratio
c4.metric("Scanned / returned", "—" if ratio is None else f"{ratio:,.1f}")
st.markdown("Plans seen: " + (view.plans_text(chosen.plans) or "—"))
if chosen.example:
    st.markdown("Example (literals redacted unless [mongo] raw_examples is on):")
    st.json(chosen.example)
if len(detail.buckets) > 1:
    ui.lines("Trend per bucket", view.trend(detail.buckets), unit="", markers=True, key="q-trend")
st.markdown("Findings on this shape:")
if not detail.findings:
    st.caption("None.")
for item in detail.findings:
    st.markdown(f"- **{item.finding.kind}** ({item.finding.severity}): {item.finding.summary}")
    st.code(fix_command(item.finding), language=None)
