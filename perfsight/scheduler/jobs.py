"""Running one scheduled job: the perfsight subcommand of its kind, in a subprocess.

A subprocess per run keeps the scheduler alive whatever a job does (a crash, a leak, Locust's
monkey-patching), lets a timeout or a shutdown stop it, and gives each run a clean exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from perfsight.config.schedule import Job
from perfsight.durations import parse_duration
from perfsight.services import stop_group

# How much of a job's output is kept with its run record.
OUTPUT_TAIL = 4000

_SUBCOMMAND = {
    "report": ["report"],
    "collect": ["collect"],
    "loadcheck": ["loadcheck"],
    "prune": ["store", "prune"],
}


def job_argv(job: Job, config: str | None) -> list[str]:
    """``[python, -m, perfsight, --config, F, <subcommand>, --key, value, …]`` for ``job``."""
    argv = [sys.executable, "-m", "perfsight"]
    if config:
        argv += ["--config", config]
    argv += _SUBCOMMAND[job.kind]
    argv += options(job.args)
    return argv


def options(args: Mapping[str, Any]) -> list[str]:
    """``{"window": "24h", "once": True, "tag": {"env": "x"}}`` →
    ``--window 24h --once --tag env=x``; a list repeats its option."""
    out: list[str] = []
    for key, value in args.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        elif value is False or value is None:
            continue
        elif isinstance(value, Mapping):
            for k, v in value.items():
                out += [flag, f"{k}={v}"]
        elif isinstance(value, list | tuple):
            for item in value:
                out += [flag, str(item)]
        else:
            out += [flag, str(value)]
    return out


@dataclass(frozen=True, slots=True)
class JobResult:
    status: str  # ok | failed | error | timeout | stopped
    exit_code: int | None
    output: str


class JobProcesses:
    """The job subprocesses running now, so a shutdown can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    def run(self, argv: list[str], timeout: float) -> JobResult:
        if self.stopping.is_set():
            return JobResult("stopped", None, "the scheduler was stopping")
        try:
            process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError as exc:
            return JobResult("error", None, f"could not start {argv[0]}: {exc}")
        with self._lock:
            self._running.add(process)
        try:
            output, _ = process.communicate(timeout=timeout)
            status = _status(process.returncode, self.stopping.is_set())
        except subprocess.TimeoutExpired:
            stop_group(process)
            output, _ = process.communicate()
            status = "timeout"
        finally:
            with self._lock:
                self._running.discard(process)
        text = output.decode(errors="replace")[-OUTPUT_TAIL:]
        return JobResult(status, process.returncode, text)

    def terminate_running(self, grace: float = 30.0) -> None:
        with self._lock:
            running = list(self._running)
        for process in running:
            stop_group(process, grace)

    def stop_all(self, grace: float = 30.0) -> None:
        """Stop what runs and refuse new runs: the scheduler is shutting down."""
        self.stopping.set()
        self.terminate_running(grace)


def _status(code: int, stopping: bool) -> str:
    # 0 done (pass), 1 thresholds failed (the job itself worked), 2 could not run.
    if stopping and code < 0:
        return "stopped"
    return {0: "ok", 1: "failed"}.get(code, "error")


def job_timeout(job: Job) -> float:
    return parse_duration(job.timeout)
