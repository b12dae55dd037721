"""Rendering helpers the pages share: tables, plotly charts, and the messages for an empty
section or a source that is down. Rendering only: the numbers come from ``dashboard.views``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from perfsight.models import from_epoch
from perfsight.reports.html import figure as report_figure  # one chart style for both
from perfsight.reports.layout import ChartData
from perfsight.reports.model import Section

PERCENT = st.column_config.NumberColumn(format="percent")


def table(
    rows: Sequence[Mapping[str, Any]],
    *,
    percent: Sequence[str] = (),
    key: str | None = None,
    height: int | None = None,
) -> None:
    """A sortable table; columns in ``percent`` hold ratios (0–1) shown as percentages."""
    frame = pd.DataFrame(list(rows))
    config: dict[str, Any] = {name: PERCENT for name in percent if name in frame.columns}
    kwargs: dict[str, Any] = {"hide_index": True, "column_config": config, "key": key}
    if height is not None:
        kwargs["height"] = height
    st.dataframe(frame, **kwargs)


def lines(
    title: str,
    series: Mapping[str, tuple[Sequence[float], Sequence[float | None]]],
    *,
    unit: str,
    percent: bool = False,
    markers: bool = False,
    key: str | None = None,
) -> None:
    """One line per series; x values are epoch seconds."""
    figure = go.Figure()
    for name, (xs, ys) in series.items():
        figure.add_trace(
            go.Scatter(
                x=[from_epoch(x) for x in xs],
                y=list(ys),
                name=name,
                mode="lines+markers" if markers else "lines",
            )
        )
    figure.update_layout(
        title=title, yaxis_title=unit, height=320, margin={"t": 40, "b": 30, "l": 50, "r": 10}
    )
    if percent:
        figure.update_yaxes(tickformat=".0%", range=[0, 1.05])
    st.plotly_chart(figure, key=key, config={"displaylogo": False})


def chart(spec: ChartData, key: str | None = None) -> None:
    st.plotly_chart(report_figure(spec), key=key, config={"displaylogo": False})


def section(sec: Section, key: str) -> None:
    """A report section as its HTML file shows it: summary, charts, tables — or why it is
    unavailable."""
    st.markdown(f"#### {sec.title}")
    if not sec.available:
        st.warning(f"{sec.title} unavailable: {sec.reason or 'no reason given'}")
        return
    if sec.data.get("summary"):
        st.write(str(sec.data["summary"]))
    for i, spec in enumerate(sec.data.get("charts", [])):
        chart(spec, key=f"{key}-chart-{i}")
    for tbl in sec.data.get("tables", []):
        st.caption(tbl["title"])
        if tbl["rows"]:
            table([dict(zip(tbl["columns"], row, strict=False)) for row in tbl["rows"]])
        else:
            st.write("(none)")


def source_down(name: str, detail: str) -> None:
    st.error(f"**{name} is down** — {detail}")
