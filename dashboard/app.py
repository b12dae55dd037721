"""Streamlit entry point: ``streamlit run dashboard/app.py`` (``perfsight dashboard`` does it).

Pages render what the other packages compute; they hold no analysis logic.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="perfsight", layout="wide")
navigation = st.navigation([st.Page(str(PAGES / "overview.py"), title="Overview", default=True)])
navigation.run()
