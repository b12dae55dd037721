"""Findings: filter by kind, severity, namespace and endpoint; copy the fix; acknowledge."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, state
from dashboard import components as ui
from dashboard.views import findings as view
from dashboard.views.timefmt import when
from perfsight.store import findings

store = state.store()
st.title("Findings")

everything = findings.list_findings(store, include_acknowledged=True)
if not everything:
    st.info(
        "No findings yet. Run perfsight analyze on a profile file or a mongod log "
        "([mongo] profile_files, or --log / --profile-file), perfsight analyze --probe for the "
        "HTTP checks ([target] base_url), or a load run."
    )
    st.stop()

options = view.choices(everything)
c1, c2, c3, c4 = st.columns(4)
flt = view.FindingFilter(
    kinds=frozenset(c1.multiselect("Kind", options["kinds"], key="f-kind")),
    severities=frozenset(c2.multiselect("Severity", options["severities"], key="f-sev")),
    namespaces=frozenset(c3.multiselect("Namespace", options["namespaces"], key="f-ns")),
    endpoints=frozenset(c4.multiselect("Endpoint", options["endpoints"], key="f-ep")),
)
show_acknowledged = st.toggle("Show acknowledged findings", key="f-ack")
pool = [s for s in everything if show_acknowledged or not s.acknowledged]
shown = view.apply(pool, flt)
hidden = sum(1 for s in everything if s.acknowledged and not show_acknowledged)
st.caption(
    f"{len(shown)} finding(s) shown"
    + (f"; {hidden} acknowledged hidden" if hidden else "")
    + ". Most expensive first (total time of the affected queries or endpoints)."
)
if not shown:
    st.info("No finding matches these filters.")
    st.stop()

for title, members in view.grouped(shown):
    st.subheader(title)
    ui.table(view.rows(members), key=f"table-{title}")

st.subheader("Details")
by_label = {view.label(s): s for s in shown}
chosen = by_label[st.selectbox("Finding", list(by_label), key="f-detail")]
finding = chosen.finding
st.markdown(f"**{finding.summary}**")
st.caption(
    f"id {finding.id} · {finding.kind} · {finding.severity} · confidence {finding.confidence} · "
    f"first seen {when(finding.first_seen.timestamp() if finding.first_seen else None)} · "
    f"last seen {when(finding.last_seen.timestamp() if finding.last_seen else None)}"
)
st.markdown("Fix:")
st.code(view.fix_command(finding), language=None)
if finding.fingerprint:
    st.markdown("Query shape:")
    st.code(finding.fingerprint, language=None)
with st.expander("Evidence"):
    st.json(dict(finding.evidence))
if chosen.acknowledged:
    st.caption(
        f"Acknowledged {when(chosen.acknowledged_at)}"
        + (f" by {chosen.acknowledged_by}" if chosen.acknowledged_by else "")
    )
    if st.button("Unacknowledge", key="f-unack"):
        findings.unacknowledge(store, finding.id)
        st.rerun()
elif st.button("Acknowledge (hide from the lists)", key="f-ack-button"):
    findings.acknowledge(store, finding.id, by=auth.viewer())
    st.rerun()
