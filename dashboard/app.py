"""Streamlit entry point: ``streamlit run dashboard/app.py`` (``perfsight dashboard`` does it).

Sign-in comes before any page; pages render what ``dashboard.views`` computes and hold no
analysis logic.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import auth, state
from perfsight.errors import PerfsightError

PAGES = Path(__file__).resolve().parent / "pages"
NAVIGATION = [
    ("overview.py", "Overview", ":material/dashboard:"),
    ("queries.py", "Queries", ":material/database:"),
    ("findings.py", "Findings", ":material/report:"),
    ("cache.py", "Cache", ":material/memory:"),
    ("latency.py", "Latency", ":material/speed:"),
    ("load_runs.py", "Load runs", ":material/rocket_launch:"),
    ("reports.py", "Reports", ":material/description:"),
]

st.set_page_config(page_title="perfsight", layout="wide")
try:
    settings = state.settings()
    state.store()
except PerfsightError as exc:
    st.error(f"perfsight cannot start: {exc}")
    st.stop()

if not auth.signed_in(settings.dashboard):
    st.stop()

warning = auth.exposure_warning(settings.dashboard)
if warning:
    st.sidebar.warning(warning)
auth.sign_out_button(settings.dashboard)

pages = [
    st.Page(str(PAGES / file), title=title, icon=icon, default=(file == "overview.py"))
    for file, title, icon in NAVIGATION
]
st.navigation(pages).run()
