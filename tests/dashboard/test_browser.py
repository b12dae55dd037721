"""End to end in headless Chromium: ``perfsight dashboard`` serves the app, the form starts a
short load run against the sample API, the verdict appears; a screenshot of every page goes
to test-artifacts/."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from perfsight.demo.process import SampleApi
from perfsight.services import free_port, wait_until
from perfsight.store import Store, runs
from tests.conftest import _start_sample_api
from tests.dashboard import seed
from tests.dashboard.conftest import stop_launched

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PAGES = [
    ("", "Overview"),
    ("queries", "Queries"),
    ("findings", "Findings"),
    ("cache", "Cache"),
    ("latency", "Latency"),
    ("load_runs", "Load runs"),
    ("reports", "Reports"),
]


@dataclass
class Served:
    url: str
    store: Store
    folder: Path


def _config(folder: Path, api: SampleApi) -> Path:
    config = folder / "perfsight.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{folder / "perfsight.db"}"\n'
        f'[target]\nbase_url = "{api.url}"\n'
        '[load]\nusers = 2\nspawn_rate = 10\nrun_time = "3s"\n'
        "[[load.scenario]]\n"
        'path = "/api/leads?status=new&limit=20"\nroute = "/api/leads"\n'
        '[thresholds]\nhttp_req_duration = ["p(95)<5000"]\nhttp_req_failed = ["rate<0.5"]\n',
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="session")
def own_sample_api(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleApi]:
    """A sample API of this test's own: its load run must not change what the tests sharing
    ``sample_api_before`` read from that API's profile."""
    api = _start_sample_api(tmp_path_factory.mktemp("e2e-api"), redis_url, "before")
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(scope="session")
def served(own_sample_api: SampleApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One dashboard, started with ``perfsight dashboard``, for the whole session."""
    folder = tmp_path_factory.mktemp("dashboard-e2e")
    config = _config(folder, own_sample_api)
    store = Store(f"sqlite:///{folder / 'perfsight.db'}")
    now = time.time()
    seed.seed_findings(store, now)
    seed.seed_samples(store, now)
    seed.seed_reports(store, now)
    seed.seed_shapes(store, now)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFSIGHT_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "perfsight",
            "--config",
            str(config),
            "dashboard",
            "--port",
            str(port),
        ],
        cwd=folder,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/_stcore/health", timeout=1).text == "ok"
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(healthy, timeout=60), "the dashboard did not come up"
        yield Served(url, store, folder)
    finally:
        stop_launched(store)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        store.close()


def _open(page, url: str, title: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=30_000)
    _settled(page)


def _settled(page) -> None:
    """Wait until the script run is over and the widgets have drawn."""
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=30_000
    )
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0",
        timeout=30_000,
    )
    page.wait_for_timeout(800)  # plotly draws after the elements arrive


def test_every_page_and_a_load_run_from_the_form(served: Served, chromium: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for path, title in PAGES:
            _open(page, f"{served.url}/{path}", title)
            page.screenshot(
                path=str(ARTIFACTS / f"dashboard-{path or 'overview'}.png"), full_page=True
            )
        # the seeded findings are on the Findings page
        _open(page, f"{served.url}/findings", "Findings")
        page.get_by_text("db.leads.createIndex", exact=False).first.wait_for(timeout=10_000)

        _open(page, f"{served.url}/load_runs", "Load runs")
        page.get_by_role("button", name="Start load run").click()
        page.get_by_text("Started run", exact=False).first.wait_for(timeout=30_000)
        page.get_by_text("running", exact=False).first.wait_for(timeout=30_000)
        verdict = page.get_by_text("✓ passed", exact=False).or_(page.get_by_text("✗ failed"))
        verdict.first.wait_for(timeout=90_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "dashboard-load_runs-verdict.png"), full_page=True)
    finally:
        page.close()
    finished = runs.list_runs(served.store)
    assert len(finished) == 1 and finished[0].status in ("passed", "failed")
    assert finished[0].target == served_target(served)
    outcomes = {o["name"]: o for o in runs.outcomes(served.store, finished[0].id)}
    assert outcomes["http_req_duration p(95)<5000"]["observed"] > 0
    assert not errors, errors


def served_target(served: Served) -> str:
    text = (served.folder / "perfsight.toml").read_text(encoding="utf-8")
    return text.split('base_url = "', 1)[1].split('"', 1)[0]
