"""Dashboard test fixtures: a config and store of the test's own, the app under AppTest, and
a helper that reads every text a page rendered."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from perfsight.store import Store
from perfsight.store.tables import dashboard_launches

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = {
    "overview": "pages/overview.py",
    "queries": "pages/queries.py",
    "findings": "pages/findings.py",
    "cache": "pages/cache.py",
    "latency": "pages/latency.py",
    "load_runs": "pages/load_runs.py",
    "reports": "pages/reports.py",
}


@dataclass
class Dashboard:
    """A config file and its store; ``open(page)`` renders a page as a viewer would."""

    config: Path
    store: Store
    now: float

    def open(self, page: str = "overview", *, timeout: float = 30) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        at.run()
        if page != "overview" and not at.exception:
            at.switch_page(PAGES[page]).run()
        return at


@pytest.fixture
def dashboard_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Dashboard]]:
    """``factory(extra_toml)``: a config with its own SQLite store plus ``extra_toml``."""
    opened: list[Store] = []

    def factory(extra: str = "") -> Dashboard:
        folder = tmp_path / f"d{len(opened)}"
        folder.mkdir()
        url = f"sqlite:///{folder / 'dash.db'}"
        config = folder / "perfsight.toml"
        config.write_text(f'[store]\nurl = "{url}"\n{extra}\n', encoding="utf-8")
        monkeypatch.setenv("PERFSIGHT_CONFIG", str(config))
        store = Store(url)
        opened.append(store)
        return Dashboard(config, store, time.time())

    monkeypatch.chdir(tmp_path)  # runs' logs and the default perfsight.toml stay in tmp_path
    yield factory
    for store in opened:
        stop_launched(store)
        store.close()


def stop_launched(store: Store) -> None:
    """Stop (by process group) every load check a test started from the dashboard."""
    with store.read() as conn:
        pids = [p for p in conn.execute(select(dashboard_launches.c.pid)).scalars() if p]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).wait(timeout=10)


@pytest.fixture
def dashboard(dashboard_factory: Callable[[str], Dashboard]) -> Dashboard:
    return dashboard_factory("")


def texts(at: AppTest) -> list[str]:
    """Every text the page shows: headings, markdown, captions, alerts, code, metrics,
    tables (as text), widget labels and values."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success", "exception"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    out += [e.value.to_string() for e in at.dataframe]
    out += [str(e.value) for e in at.json]
    for kind in ("text_input", "text_area", "selectbox", "multiselect"):
        for widget in getattr(at, kind):
            out.append(f"{widget.label} {widget.value}")
    return out


def joined(at: AppTest) -> str:
    return "\n".join(texts(at))


def frame(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has all these columns."""
    for element in at.dataframe:
        table = element.value
        if all(column in table.columns for column in columns):
            return table
    raise AssertionError(f"no table with columns {columns} on the page")
