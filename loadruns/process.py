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
        if plan.workers:
            # A master here and that many forked workers; the listener merges their histograms.
            argv += ["--processes", str(plan.workers)]
        if not plan.stages:  # with stages, perfsight's LoadTestShape drives users and stops
            argv += ["--users", str(plan.users), "--spawn-rate", str(plan.spawn_rate)]
            argv += ["--run-time", f"{plan.run_time:g}s"]
        return argv

    def environment(self, controller_pid: int) -> Mapping[str, str]:
        instructions = {
            "out": str(self.out_path),
            "stages": [list(stage) for stage in self.plan.stages],
            "allowed_hosts": list(self.plan.allowed_hosts),
            "controller_pid": controller_pid,
            "tick_interval": 1.0,
        }
        env = dict(os.environ)
        env[wire.ENV_VAR] = orjson.dumps(instructions).decode()
        env.pop("LOCUST_SKIP_MONKEY_PATCH", None)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self) -> LocustProcess:
        files = self.locustfiles()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv(files),
                cwd=self.plan.locustfile.parent if self.plan.locustfile else self.folder,
                env=self.environment(os.getpid()),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
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
        process = self.process
        if process is None:
            return
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
        """Kill the process (and its group) if it still runs, then remove the folder."""
        if self.process is not None and self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
