"""Helper servers perfsight can start for the demo, the tests and the benchmarks: a Redis server
and a Prometheus server from the Debian binaries, on free loopback ports with temporary data
directories. Each object stops exactly the process it started, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx

from perfsight.errors import ServiceError

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def stop_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop a child started with ``start_new_session=True`` and everything in its process
    group: SIGTERM, then SIGKILL after ``grace`` seconds. A process already gone is fine."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


class ManagedProcess:
    """A child process in its own process group, stopped with SIGTERM then SIGKILL."""

    name = "process"
    package = ""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir: Path | None = None
        self.log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _resolve_binary(self) -> str:
        found = shutil.which(self.binary)
        if found is None:
            raise ServiceError(
                f"{self.binary!r} not found; install it (Debian: apt-get install -y "
                f"{self.package}) or run 'make test' / 'make demo', which install it",
                source=self.name,
            )
        return found

    def _spawn(
        self,
        argv: Callable[[Path], Sequence[str]],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """Start ``argv(workdir)`` with output to a log file in a fresh temporary directory,
        running in ``cwd`` (default: that directory) with ``env`` (default: ours)."""
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"perfsight-{self.name}-"))
        self.log_path = self.workdir / f"{self.name}.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                list(argv(self.workdir)),
                cwd=cwd or self.workdir,
                env=dict(env) if env is not None else None,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # our own group: a Ctrl-C in the terminal is ours to pass
            )

    def _wait_ready(self, check: Callable[[], bool], timeout: float) -> None:
        def ready_or_dead() -> bool:
            return check() or (self.process is not None and self.process.poll() is not None)

        wait_until(ready_or_dead, timeout)
        if self.process is not None and self.process.poll() is not None:
            log = self.log_tail()
            self.stop()
            raise ServiceError(f"exited at start; its log ends:\n{log}", source=self.name)
        if not check():
            log = self.log_tail()
            self.stop()
            raise ServiceError(f"not ready after {timeout:.0f}s; log:\n{log}", source=self.name)

    def log_tail(self, lines: int = 20) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process this object started (and its group); remove its temporary files."""
        process, self.process = self.process, None
        if process is not None:
            stop_group(process, timeout)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def kill(self) -> None:
        """SIGKILL without cleanup of state: for tests that simulate a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class RedisServer(ManagedProcess):
    """``redis-server`` on a free loopback port, keeping nothing on disk."""

    name = "redis"
    package = "redis-server"

    def __init__(self, port: int | None = None, *, binary: str = "redis-server") -> None:
        super().__init__(binary)
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self, timeout: float = 15.0) -> RedisServer:
        binary = self._resolve_binary()
        self._spawn(
            lambda _workdir: [
                binary,
                *("--bind", LOOPBACK, "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ]
        )
        self._wait_ready(lambda: _redis_ping(self.port), timeout)
        return self

    def restart(self, timeout: float = 15.0) -> RedisServer:
        """Kill and start again on the same port (a restart as a collector sees it)."""
        self.stop()
        return self.start(timeout)


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrometheusServer(ManagedProcess):
    """``prometheus`` on a free loopback port with a temporary TSDB, scraping ``targets``
    (``host:port`` strings) every ``scrape_interval``."""

    name = "prometheus"
    package = "prometheus"

    def __init__(
        self,
        targets: Sequence[str] = (),
        *,
        port: int | None = None,
        scrape_interval: str = "1s",
        job: str = "perfsight-target",
        binary: str = "prometheus",
    ) -> None:
        super().__init__(binary)
        self.port = port or free_port()
        self.targets = list(targets)
        self.scrape_interval = scrape_interval
        self.job = job

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _config(self) -> str:
        targets = ", ".join(f'"{t}"' for t in self.targets)
        return (
            "global:\n"
            f"  scrape_interval: {self.scrape_interval}\n"
            f"  evaluation_interval: {self.scrape_interval}\n"
            "scrape_configs:\n"
            f"  - job_name: {self.job}\n"
            f"    scrape_interval: {self.scrape_interval}\n"
            f"    scrape_timeout: {self.scrape_interval}\n"
            f"    static_configs:\n      - targets: [{targets}]\n"
        )

    def start(self, timeout: float = 30.0) -> PrometheusServer:
        binary = self._resolve_binary()

        def argv(workdir: Path) -> list[str]:
            config = workdir / "prometheus.yml"
            config.write_text(self._config())
            return [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address={LOOPBACK}:{self.port}",
                "--storage.tsdb.retention.time=1d",
            ]

        self._spawn(argv)
        self._wait_ready(self._ready, timeout)
        return self

    def _ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/-/ready", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_for_scrape(self, timeout: float = 30.0) -> bool:
        """True once every target has been scraped successfully at least once."""

        def all_up() -> bool:
            try:
                data = httpx.get(f"{self.url}/api/v1/targets", timeout=2.0).json()
            except (httpx.HTTPError, ValueError):
                return False
            active = data.get("data", {}).get("activeTargets", [])
            return bool(active) and all(t.get("health") == "up" for t in active)

        return wait_until(all_up, timeout, interval=0.25)
