"""The time-range picker pages share: a preset (last hour, day…) or custom dates."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import streamlit as st

from dashboard.views.ranges import CUSTOM, PRESETS, date_range, preset_range


def time_range(key: str, default: str = "1 hour") -> tuple[float, float]:
    """(since, until) in epoch seconds as the viewer chose them."""
    names = [*PRESETS, CUSTOM]
    choice = st.selectbox("Time range", names, index=names.index(default), key=f"{key}-range")
    if choice != CUSTOM:
        return preset_range(choice, time.time())
    today = datetime.now(UTC).date()
    picked = st.date_input("Dates (UTC)", value=(today, today), key=f"{key}-dates")
    days = list(picked) if isinstance(picked, tuple | list) else [picked]
    if not days:
        return preset_range(default, time.time())
    return date_range(days[0], days[-1])
