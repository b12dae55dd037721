"""CPU and memory during a load run: of the load generator (the Locust process and its local
workers), of the target's process when it runs on this machine, and of the machine.

A Locust process runs its users on one core (gevent): at about 90 % of a core it cannot send
faster, and response times include its own scheduling delay. A run whose generator was
saturated measured the generator, not the target, and says so ("load generator saturated").
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psutil

from loadruns.observers import ObserverReport
from loadruns.result import Progress

MIB = 2**20
MIN_READINGS = 3  # a verdict on saturation needs a few seconds of readings
MAX_SERIES = 1200  # points kept for the charts (thinned evenly beyond)
CHILDREN_EVERY = 5  # samples between two looks for new child processes (forked workers)


@dataclass(slots=True)
class _Tracked:
    """The processes of one role, each a psutil handle kept so cpu_percent has a baseline."""

    role: str
    root: psutil.Process | None = None
    handles: dict[int, psutil.Process] = field(default_factory=dict)
    readings: dict[int, list[float]] = field(default_factory=dict)
    totals: list[float] = field(default_factory=list)  # CPU % of the role per sample
    rss_max: float = 0.0
    reason: str | None = None
    samples: int = 0

    def attach(self, pid: int) -> None:
        try:
            self.root = psutil.Process(pid)
        except psutil.Error as exc:
            self.reason = f"process {pid} cannot be read: {exc}"

    def sample(self) -> float | None:
        """CPU % of one core, summed over the role's processes, since the last sample (None:
        nothing to measure yet)."""
        if self.root is None:
            return None
        self.samples += 1
        members = list(self.handles.values()) or [self.root]
        if self.samples % CHILDREN_EVERY == 1:  # listing children reads every /proc entry
            with contextlib.suppress(psutil.Error):
                members = [self.root, *self.root.children(recursive=True)]
        cpu = rss = 0.0
        measured = False
        for member in members:
            primed = member.pid in self.handles
            handle = self.handles.setdefault(member.pid, member)
            try:
                with handle.oneshot():
                    percent = handle.cpu_percent(interval=None)
                    memory = handle.memory_info().rss
            except psutil.Error:
                continue
            rss += memory
            if primed:  # a handle's first cpu_percent has no baseline: 0.0 means nothing
                self.readings.setdefault(handle.pid, []).append(percent)
                cpu += percent
                measured = True
        self.rss_max = max(self.rss_max, rss)
        if not measured:
            return None
        self.totals.append(cpu)
        return cpu

    def summary(self) -> dict[str, Any]:
        if self.root is None:
            return {"measured": False, "reason": self.reason}
        totals = self.totals
        busiest = max(
            ((pid, statistics.median(r)) for pid, r in self.readings.items() if r),
            key=lambda item: item[1],
            default=(None, None),
        )
        return {
            "measured": True,
            "pids": sorted(self.handles),
            "cpu_avg_pct": round(statistics.fmean(totals), 1) if totals else None,
            "cpu_max_pct": round(max(totals), 1) if totals else None,
            "rss_max_mib": round(self.rss_max / MIB, 1),
            "busiest_pid": busiest[0],
            "busiest_median_pct": round(busiest[1], 1) if busiest[1] is not None else None,
        }


def local_listener(url: str) -> tuple[int | None, str | None]:
    """The pid of the process listening on the URL's port when its host is this machine, or
    why it cannot be known."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port)}
    except OSError as exc:
        return None, f"cannot resolve {host}: {exc}"
    local = {a.address for nics in psutil.net_if_addrs().values() for a in nics}
    if not addresses & (local | {"127.0.0.1", "::1"}) and not host.startswith("127."):
        return None, f"the target ({host}) runs on another machine"
    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.Error as exc:
        return None, f"cannot list this machine's sockets: {exc}"
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is not None:
                return conn.pid, None
            return None, f"port {port} belongs to another user's process (not readable)"
    return None, f"no process of this machine listens on port {port}"


class ProcessWatch:
    name = "processes"

    def __init__(
        self,
        *,
        target_url: str,
        target_pid: int | None = None,
        saturation_pct: float = 90.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.target_url = target_url
        self.target_pid = target_pid
        self.saturation_pct = saturation_pct
        self.clock = clock
        self.generator = _Tracked("generator")
        self.target = _Tracked("target")
        self.series: list[dict[str, Any]] = []

    def start(self, run_id: str, started_at: float) -> None:
        pid, reason = (
            (self.target_pid, None) if self.target_pid else local_listener(self.target_url)
        )
        if pid is not None:
            self.target.attach(pid)
        else:
            self.target.reason = reason
        self.generator.reason = "the runner gave no Locust pid"
        psutil.cpu_percent(interval=None)  # the machine's baseline
        self.target.sample()

    def tick(self, progress: Progress) -> None:
        if self.generator.root is None and progress.generator_pid is not None:
            self.generator.attach(progress.generator_pid)
        generator = self.generator.sample()
        target = self.target.sample()
        self.series.append(
            {
                "t": round(self.clock(), 3),
                "generator_cpu_pct": round(generator, 1) if generator is not None else None,
                "target_cpu_pct": round(target, 1) if target is not None else None,
                # All cores, busy share (0–100); the chart shows it in cores × 100 like the rest.
                "machine_cpu_pct": round(psutil.cpu_percent(interval=None), 1),
            }
        )

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        machine = [p["machine_cpu_pct"] for p in self.series]
        section: dict[str, Any] = {
            "generator": self.generator.summary(),
            "target": self.target.summary(),
            "machine": {
                "cpus": psutil.cpu_count() or 1,
                "cpu_avg_pct": round(statistics.fmean(machine), 1) if machine else None,
                "load_avg": [round(x, 2) for x in os.getloadavg()],
            },
            "saturation_pct": self.saturation_pct,
            "series": _thin(self.series),
        }
        warnings: list[str] = []
        caveats: dict[str, str] = {}
        target = self._busiest(self.target)
        section["target_cpu_bound"] = target is not None
        if target is not None:
            pid, median = target
            text = (
                f"the target's process {pid} used {median:.0f} % of a CPU core (median): it was "
                "CPU-bound — a Python or Node process runs on one core; run more processes"
            )
            caveats = {"http_reqs": text, "http_req_duration": text}
        saturated = self._busiest(self.generator)
        section["generator_saturated"] = saturated is not None
        if saturated is not None:
            pid, median = saturated
            text = (
                f"load generator saturated: Locust process {pid} used {median:.0f} % of a CPU "
                f"core (median; the limit is {self.saturation_pct:g} %): this run measured the "
                "generator's limit, not the target's — add workers (--workers N) or machines"
            )
            warnings.append(text)
            caveats = {"http_reqs": text, "http_req_duration": text}  # the first thing to fix
        busy = section["machine"]["cpu_avg_pct"]
        if self.target.root is not None and busy is not None and busy >= 95:
            warnings.append(
                f"this machine's CPUs were {busy:.0f} % busy on average: the generator and the "
                "target competed for them"
            )
        return ObserverReport(warnings=tuple(warnings), section=section, caveats=caveats)

    def _busiest(self, tracked: _Tracked) -> tuple[int, float] | None:
        """A process of the role at or above the limit (median of its readings)."""
        for pid, readings in sorted(tracked.readings.items()):
            if len(readings) >= MIN_READINGS:
                median = statistics.median(readings)
                if median >= self.saturation_pct:
                    return pid, median
        return None


def _thin(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(points) <= MAX_SERIES:
        return points
    step = len(points) / MAX_SERIES
    return [points[int(i * step)] for i in range(MAX_SERIES)]
