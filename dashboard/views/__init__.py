"""Data shaping for the dashboard's pages: plain functions from the store and settings to rows,
series and messages. No Streamlit here, so every page's numbers are unit-testable."""
