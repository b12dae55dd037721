"""Reports: the scheduled analysis reports and their content."""

from __future__ import annotations

import streamlit as st

from dashboard import components as ui
from dashboard import state
from dashboard.views import reports as view
from dashboard.views.findings import fix_first_rows
from dashboard.views.runs import outcome_rows
from perfsight.reports.layout import STATUS_LABELS, fmt

store = state.store()
st.title("Reports")
records = view.recent(store)
if not records:
    st.info(
        "No reports yet. Run perfsight report (--window 24h), or schedule one: a "
        '[[schedule.jobs]] entry with kind = "report" and perfsight schedule.'
    )
    st.stop()

ui.table(view.report_rows(records), key="reports")
by_label = {view.label(r): r for r in records}
opened = view.open_report(store, by_label[st.selectbox("Report", list(by_label), key="report")])
record, report = opened.record, opened.report
for kind, path in sorted(record.paths.items()):
    st.caption(f"{kind}: {path}")
if report is None:
    st.warning(f"This report's content cannot be read by this version: {opened.problem}")
    st.stop()

st.subheader(f"Status: {STATUS_LABELS.get(report.status, report.status)}")
st.markdown("#### Fix first")
ranked = fix_first_rows(report.findings)
if ranked:
    ui.table(ranked, key="report-fix-first")
else:
    st.write("Nothing to fix: no findings in this window.")
st.markdown("#### Changes since the previous report")
if opened.diff is None:
    st.write("No earlier report with the same tags: nothing to compare with.")
else:
    for line in view.diff_lines(opened.diff):
        st.markdown(f"- {line}")
st.markdown("#### Thresholds")
if report.outcomes:
    ui.table(outcome_rows(report.outcomes), key="report-outcomes")
else:
    st.write("No thresholds evaluated.")
if report.metrics:
    st.markdown("#### Metrics")
    ui.table(
        [
            {"metric": m.name, "value": fmt(m.value, m.unit), "unit": m.unit, "source": m.source}
            for m in report.metrics
        ],
        key="report-metrics",
    )
for i, sec in enumerate(report.sections):
    ui.section(sec, key=f"section-{i}")
