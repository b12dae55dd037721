"""Start the sample API (and the dashboard) as child processes on loopback, the way
``perfsight demo``, the tests and the benchmarks do; each stops exactly what it started.

    api = SampleApi(mode="after", profile_file=tmp / "profile.jsonl", redis_url=url).start()
    httpx.get(api.url + "/api/bookings")
    docs = api.read_profile()          # the simulated system.profile documents so far
    api.stop()
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from perfsight.demo.config import DEFAULT_REDIS_PREFIX
from perfsight.demo.indexes import Mode
from perfsight.demo.profilelog import read_profile
from perfsight.services import LOOPBACK, ManagedProcess, free_port


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class SampleApi(ManagedProcess):
    """``python -m perfsight.demo.server`` on a loopback port (a free one unless given)."""

    name = "sample-api"

    def __init__(
        self,
        *,
        mode: Mode = "before",
        profile_file: Path,
        redis_url: str | None = None,
        redis_prefix: str = DEFAULT_REDIS_PREFIX,
        size: str = "small",
        port: int | None = None,
        smtp_ms: int | None = None,
        db_rtt_ms: float | None = None,
        mongodb_uri: str | None = None,
    ) -> None:
        super().__init__(sys.executable)
        self.mode = mode
        self.profile_file = Path(profile_file).resolve()
        self.redis_url = redis_url
        self.redis_prefix = redis_prefix
        self.size = size
        self.port = port or free_port()
        self.smtp_ms = smtp_ms
        self.db_rtt_ms = db_rtt_ms
        self.mongodb_uri = mongodb_uri

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def argv(self) -> list[str]:
        args = [sys.executable, "-m", "perfsight.demo.server", "--mode", self.mode]
        args += ["--port", str(self.port), "--size", self.size]
        args += ["--profile-file", str(self.profile_file), "--redis-prefix", self.redis_prefix]
        if self.redis_url:
            args += ["--redis-url", self.redis_url]
        if self.smtp_ms is not None:
            args += ["--smtp-ms", str(self.smtp_ms)]
        if self.db_rtt_ms is not None:
            args += ["--db-rtt-ms", str(self.db_rtt_ms)]
        return args

    def start(self, timeout: float = 60.0) -> SampleApi:
        env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
        if self.mongodb_uri:
            env["MONGODB_URI"] = self.mongodb_uri
        self._spawn(lambda _workdir: self.argv(), env=env)
        self._wait_ready(lambda: _http_ok(f"{self.url}/healthz"), timeout)
        return self

    def profile_offset(self) -> int:
        """The profile file's current size: read from here to see only what follows."""
        return self.profile_file.stat().st_size if self.profile_file.exists() else 0

    def read_profile(self, offset: int = 0) -> list[dict[str, Any]]:
        if not self.profile_file.exists():
            return []
        return read_profile(self.profile_file, offset)


class DashboardProcess(ManagedProcess):
    """The Streamlit dashboard (``command`` from ``perfsight.cli.dashboard``), run in ``cwd``
    so its relative paths (the default store) are the user's."""

    name = "dashboard"

    def __init__(
        self,
        command: Sequence[str],
        *,
        port: int,
        env: Mapping[str, str],
        cwd: Path,
    ) -> None:
        super().__init__(command[0])
        self.command = list(command)
        self.port = port
        self.env = dict(env)
        self.cwd = cwd

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 60.0) -> DashboardProcess:
        self._spawn(lambda _workdir: self.command, cwd=self.cwd, env=self.env)
        self._wait_ready(lambda: _http_ok(f"{self.url}/_stcore/health"), timeout)
        return self
