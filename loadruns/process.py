"""The Locust subprocess: its files, its command line, and stopping exactly it.

Locust runs as ``python -m locust`` in a session of its own (a Ctrl-C in the terminal reaches
perfsight, which stops Locust gracefully so the last second is reported). Its folder holds the
generated or user locustfile list, perfsight's listener, the listener's JSON lines and Locust's
log; it is private (0700) because a generated locustfile carries the target's headers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import orjson

from loadruns import scenario as scenario_mod
from loadruns import wire
from loadruns.plan import LoadPlan

LISTENER_NAME = "perfsight_listener.py"
SCENARIO_NAME = "perfsight_scenario.py"


class LocustProcess:
    def __init__(self, plan: LoadPlan, *, python: str = sys.executable) -> None:
        self.plan = plan
        self.python = python
        self.folder = Path(tempfile.mkdtemp(prefix="perfsight-run-"))
        self.out_path = self.folder / "listener.jsonl"
        self.log_path = self.folder / "locust.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.local_workers: subprocess.Popen[bytes] | None = None  # beside remote workers

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def locustfiles(self) -> list[Path]:
        listener = self.folder / LISTENER_NAME
        source = resources.files("loadruns").joinpath("locust_listener.py")
        listener.write_text(source.read_text("utf-8"), encoding="utf-8")
        if self.plan.locustfile is not None:
            return [self.plan.locustfile, listener]
        generated = self.folder / SCENARIO_NAME
        generated.write_text(
            scenario_mod.render_locustfile(
                self.plan.scenario,
                headers=self.plan.headers,
                think_time=self.plan.think_time,
                filename=SCENARIO_NAME,
            ),
            encoding="utf-8",
        )
        return [generated, listener]

    def argv(self, files: list[Path]) -> list[str]:
        plan = self.plan
        argv = [self.python, "-m", "locust", "-f", ",".join(str(f) for f in files)]
        argv += ["--headless", "--host", plan.host, "--only-summary"]
        # Failures are ours to judge (thresholds); Locust's own exit code then only says
        # whether Locust itself worked.
        argv += ["--exit-code-on-error", "0", "--loglevel", "INFO"]
        if plan.remote_workers:
            # A master that waits for its local and remote workers (Locust's own protocol).
            argv += ["--master", "--expect-workers", str(plan.workers + plan.remote_workers)]
            argv += ["--master-bind-host", plan.master_bind_host]
            argv += ["--master-bind-port", str(plan.master_port)]
            argv += ["--expect-workers-max-wait", f"{plan.remote_wait:g}"]
        elif plan.workers:
            # A master here and that many forked workers; the listener merges their histograms.
            argv += ["--processes", str(plan.workers)]
        if not plan.stages:  # with stages, perfsight's LoadTestShape drives users and stops
            argv += ["--users", str(plan.users), "--spawn-rate", str(plan.spawn_rate)]
            argv += ["--run-time", f"{plan.run_time:g}s"]
        return argv

    def environment(self) -> Mapping[str, str]:
        """The listener's instructions (it watches its parent, the runner, by os.getppid())."""
        instructions = {
            "out": str(self.out_path),
            "stages": [list(stage) for stage in self.plan.stages],
            "allowed_hosts": list(self.plan.allowed_hosts),
            "tick_interval": 1.0,
        }
        env = dict(os.environ)
        env[wire.ENV_VAR] = orjson.dumps(instructions).decode()
        env.pop("LOCUST_SKIP_MONKEY_PATCH", None)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def worker_argv(self, files: list[Path], master_host: str) -> list[str]:
        """Workers of a master at ``master_host`` (``plan.workers`` forked ones, else one)."""
        argv = [self.python, "-m", "locust", "-f", ",".join(str(f) for f in files), "--worker"]
        argv += ["--master-host", master_host, "--master-port", str(self.plan.master_port)]
        if self.plan.workers:
            argv += ["--processes", str(self.plan.workers)]
        return argv

    def _spawn(self, argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
        with log_path.open("ab") as log:
            return subprocess.Popen(
                argv,
                cwd=self.plan.locustfile.parent if self.plan.locustfile else self.folder,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self) -> LocustProcess:
        files = self.locustfiles()
        self.process = self._spawn(self.argv(files), self.log_path)
        if self.plan.remote_workers and self.plan.workers:
            # --master cannot fork its own workers: the local ones connect like remote ones.
            self.local_workers = self._spawn(
                self.worker_argv(files, "127.0.0.1"), self.folder / "workers.log"
            )
        return self

    def poll(self) -> int | None:
        return self.process.poll() if self.process else None

    def terminate(self, timeout: float = 15.0) -> None:
        """SIGTERM (Locust reports its last second and exits), then SIGKILL of its group."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        for process in (self.process, self.local_workers):
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def cleanup(self) -> None:
        """Kill the processes (and their groups) still running, then remove the folder."""
        running = [p for p in (self.process, self.local_workers) if p is not None]
        if any(p.poll() is None for p in running):
            if self.local_workers is not None and self.local_workers.poll() is None:
                # The master told them to quit: give them a moment before SIGKILL.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.local_workers.wait(timeout=5)
            self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
