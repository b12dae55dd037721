"""Runs started and stopped from another process (the dashboard, the scheduler).

``start_detached`` launches ``perfsight loadcheck … --run-id ID`` as its own process and returns
at once with the run id to follow in the store (``perfsight.store.runs.get_run``, ``series``);
``stop_run`` sends that process SIGTERM, which ends the run as ``aborted`` with its results so
far. The run's process records its pid and host in the store, so any process on the same
machine can stop it, even after a browser refresh or a dashboard restart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import psutil

from loadruns.plan import LoadOptions, make_plan
from perfsight.config import Settings
from perfsight.store import Store, runs


@dataclass(frozen=True, slots=True)
class DetachedRun:
    run_id: str
    pid: int
    log_path: Path
    process: subprocess.Popen[bytes]


def start_detached(
    options: LoadOptions,
    *,
    log_path: Path,
    config: str | Path | None = None,
    settings: Settings | None = None,
) -> DetachedRun:
    """Start a load check in its own process. With ``settings`` (those of ``config``), bad
    input raises here, before anything starts, instead of only reaching the log."""
    options = replace(options, run_id=options.run_id or uuid.uuid4().hex)
    if settings is not None:
        make_plan(settings, options)
    argv = [sys.executable, "-m", "perfsight", "loadcheck"]
    if config is not None:
        argv += ["--config", str(config)]
    argv += options.to_argv()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives a dashboard restart; stopped by stop_run
        )
    assert options.run_id is not None
    return DetachedRun(options.run_id, process.pid, log_path, process)


def stop_run(store: Store, run_id: str) -> bool:
    """Ask a running run's process to stop (SIGTERM: it ends ``aborted`` with its partial
    results). False when the run is not running on this machine or its process is gone."""
    record = runs.get_run(store, run_id)
    if record is None or record.status != "running" or record.pid is None:
        return False
    if record.host != socket.gethostname() or not _is_loadcheck(record.pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(record.pid, signal.SIGTERM)
        return True
    return False


def _is_loadcheck(pid: int) -> bool:
    """The pid still belongs to a perfsight load check (not to a process that reused it)."""
    try:
        cmdline = psutil.Process(pid).cmdline()
    except psutil.Error:
        return False
    return "loadcheck" in cmdline or any("loadruns" in part for part in cmdline)
