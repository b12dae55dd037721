"""Overview: the latest load runs and the open findings."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from perfsight.store import findings, runs

st.title("perfsight")
recent = runs.list_runs(state.store(), limit=10)
st.subheader("Load runs")
if recent:
    st.dataframe(
        [{"run": r.id[:8], "status": r.status, "target": r.target} for r in recent],
        hide_index=True,
    )
else:
    st.info("No load run stored yet: run `perfsight loadcheck` or start one from Load runs.")
st.subheader("Open findings")
open_findings = findings.list_findings(state.store())
if open_findings:
    st.dataframe(
        [{"kind": f.finding.kind, "summary": f.finding.summary} for f in open_findings],
        hide_index=True,
    )
else:
    st.info("No findings yet: run `perfsight analyze` on a profile file or a mongod log.")
