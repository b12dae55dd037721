"""Fixtures shared by every test area: stores (SQLite and the real PostgreSQL), the machine's
Redis, helper servers, the public MongoDB samples."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from perfsight import compiled
from perfsight.demo.indexes import Mode
from perfsight.demo.process import SampleApi
from perfsight.services import RedisServer, port_open
from perfsight.store import Store

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Never test an old build of the compiled hot path instead of the sources."""
    stale = [name for name, state in compiled.status().items() if state == "stale"]
    if stale:
        pytest.exit(
            f"compiled modules older than their sources: {', '.join(stale)} — rebuild them "
            "with `make install` (or `python setup.py build_ext --inplace`)",
            returncode=2,
        )


PG_URL = os.environ.get("PERFSIGHT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The public MongoDB samples: ../shared/mongo-samples, or $PERFSIGHT_SAMPLES."""
    path = Path(os.environ.get("PERFSIGHT_SAMPLES", ROOT.parent / "shared" / "mongo-samples"))
    if not path.is_dir():
        pytest.skip(
            f"MongoDB sample data not found at {path}: set PERFSIGHT_SAMPLES to the folder of "
            "shared/mongo-samples (it is public data kept outside this repository)"
        )
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'perfsight.db'}"


def _pg_available() -> bool:
    return port_open("127.0.0.1", 5432)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the machine's PostgreSQL database ``test``, dropped afterwards."""
    if not _pg_available():
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    schema = f"perfsight_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each store test runs on SQLite and on the real PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as opened:
        yield opened


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    with Store(sqlite_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The machine's Redis server; one started by the services module where none runs."""
    if port_open(REDIS_HOST, REDIS_PORT):
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
        return
    with RedisServer().start() as server:
        yield server.url


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own (no other client: exact counts; free to kill)."""
    with RedisServer().start() as server:
        yield server


@pytest.fixture
def key_prefix() -> str:
    """A Redis key prefix of this test's own, so tests never touch anyone else's keys."""
    return f"perfsight-test:{uuid.uuid4().hex[:8]}:"


class AppServer:
    """A real HTTP server in a subprocess on a free loopback port, stopped by its pid."""

    def __init__(self, module: str, *args: str, ready_path: str = "/metrics") -> None:
        import subprocess
        import sys

        from perfsight.services import free_port, wait_until

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--port", str(self.port), *args],
            cwd=ROOT,
            start_new_session=True,
        )

        def ready() -> bool:
            import httpx

            try:
                return httpx.get(self.url + ready_path, timeout=1).status_code < 500
            except httpx.HTTPError:
                return False

        if not wait_until(ready, timeout=30):
            self.stop()
            raise RuntimeError(f"{module} did not start on port {self.port}")

    def stop(self) -> None:
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except Exception:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def latency_server_factory() -> Iterator[object]:
    """``factory("/fast=5,10", "/slow=200")`` starts a latency app; all are stopped afterwards."""
    started: list[AppServer] = []

    def factory(*routes: str) -> AppServer:
        args = [part for route in routes for part in ("--route", route)]
        server = AppServer("tests.support.latency_app", *args)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


# ---------------------------------------------------------------------------------------------
# The sample travel-CRM API (perfsight/demo/README.md lists its endpoints)
# ---------------------------------------------------------------------------------------------


def _start_sample_api(folder: Path, redis: str, mode: Mode, **options: Any) -> SampleApi:
    api = SampleApi(
        mode=mode,
        profile_file=folder / f"{mode}-{uuid.uuid4().hex[:6]}.profile.jsonl",
        redis_url=redis,
        redis_prefix=f"perfsight-test:{uuid.uuid4().hex[:8]}:",
        **options,
    )
    return api.start()


@pytest.fixture
def sample_api_factory(redis_url: str, tmp_path: Path) -> Iterator[Callable[..., SampleApi]]:
    """``factory(mode="before"|"after", size="small", smtp_ms=300)`` starts a sample API of this
    test's own (``.url``, ``.pid``, ``.profile_file``, ``.read_profile(offset)``,
    ``.profile_offset()``) on a free loopback port with a Redis key prefix of its own; each is
    stopped by its pid when the test ends. Seeded data are the same in every process."""
    started: list[SampleApi] = []

    def factory(mode: Mode = "before", **options: Any) -> SampleApi:
        api = _start_sample_api(tmp_path, redis_url, mode, **options)
        started.append(api)
        return api

    yield factory
    for api in started:
        api.stop()


@pytest.fixture(scope="session")
def sample_api_before(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SampleApi]:
    """One ``before``-mode sample API shared by the whole session. Shared: read only the profile
    lines after ``profile_offset()`` or of your own ``X-Request-Id``; change data only through
    the factory's servers."""
    api = _start_sample_api(tmp_path_factory.mktemp("sample-api"), redis_url, "before")
    yield api
    api.stop()


@pytest.fixture(scope="session")
def sample_api_after(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SampleApi]:
    """One ``after``-mode sample API shared by the whole session (same rules as before's)."""
    api = _start_sample_api(tmp_path_factory.mktemp("sample-api"), redis_url, "after")
    yield api
    api.stop()


# ---------------------------------------------------------------------------------------------
# Headless Chromium (Debian's, driven by Playwright) for the browser tests
# ---------------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session (Playwright's ``Browser``); each test opens and
    closes its own pages. Skips with the reason when Playwright or Chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make test does it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CLI test's surroundings: its own folder, no PERFSIGHT_* setting from outside but the
    samples, and a SQLite store of its own (``PERFSIGHT_STORE__URL``). Returns the folder."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PERFSIGHT_") and name != "PERFSIGHT_SAMPLES":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PERFSIGHT_STORE__URL", f"sqlite:///{tmp_path / 'store.db'}")
    return tmp_path
