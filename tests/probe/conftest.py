from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from perfsight.config.target import TargetSettings
from tests.conftest import AppServer


@pytest.fixture(scope="session")
def probe_api() -> Iterator[AppServer]:
    """The probe test API (tests/support/probe_app.py) on a free loopback port."""
    server = AppServer("tests.support.probe_app", ready_path="/stats")
    try:
        yield server
    finally:
        server.stop()


def served(server: AppServer) -> dict[str, int]:
    """Requests the server received, by path and query."""
    counts: dict[str, int] = httpx.get(server.url + "/stats", timeout=5).json()
    return counts


def target(server: AppServer, **values: Any) -> TargetSettings:
    values.setdefault("timeout", "2s")
    return TargetSettings(base_url=server.url, **values)
