"""Latency: p50/p95/p99 per endpoint, req/s and errors from Prometheus over a time range."""

from __future__ import annotations

import streamlit as st

from dashboard import components as ui
from dashboard import state
from dashboard.picker import time_range
from dashboard.views import latency as view
from perfsight.config.redact import scrub
from perfsight.errors import PerfsightError

settings, store = state.settings(), state.store()
st.title("Latency")
since, until = time_range("latency")


@st.cache_data(ttl=15, show_spinner="Asking Prometheus…")
def _live(config_key: str, since: float, until: float) -> view.LatencyData:
    # Keyed by the config too: one process may serve several configs (tests).
    return view.live(settings, since=since, until=until)


data = None
if settings.prometheus.url:
    try:
        # On 10 s steps so reruns hit the cache; the end rounded up, never losing the newest
        # data (Prometheus answers a query a few seconds ahead with its latest samples).
        data = _live(str(state.config_file()), since // 10 * 10, -(-until // 10) * 10)
    except PerfsightError as exc:
        ui.source_down("Prometheus", scrub(str(exc), state.secrets()))
if data is None or not data.table:
    stored = view.stored(store, since=since, until=until)
    if stored.table or data is None:
        data = stored

if not data.table:
    st.info(
        "No latency data in this range. Set [prometheus] url (the exporter's histogram, see "
        "[prometheus] convention) for live figures, or run perfsight collect to store samples."
    )
    st.stop()

st.caption(f"Source: {data.origin}. Each p95 lies inside its histogram bucket (shown).")
ui.table(view.table_rows(data.table), percent=["5xx"], key="latency-table")
left, right = st.columns(2)
for i, (metric, title, unit) in enumerate(
    [
        ("p50", "p50", "ms"),
        ("p95", "p95", "ms"),
        ("p99", "p99", "ms"),
        ("rps", "Requests per second", "req/s"),
        ("errors", "5xx ratio", "ratio"),
    ]
):
    with left if i % 2 == 0 else right:
        ui.lines(
            title,
            view.chart_series(data.series, metric),
            unit=unit,
            percent=metric == "errors",
            key=f"latency-{metric}",
        )
