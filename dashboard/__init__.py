"""The Streamlit dashboard: pages that call the other packages and render; no analysis here."""
