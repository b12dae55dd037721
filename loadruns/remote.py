"""A Locust worker for a master on another machine: ``perfsight loadcheck --worker
--master-host H`` when one machine cannot generate the load.

It builds the same plan from the same configuration (the same scenario or locustfile, so the
same request names; the same ``allowed_hosts``), writes the locustfile and perfsight's listener
into a private folder, and runs ``locust --worker`` in the foreground until the master ends the
test. The listener records exact response times on the worker and sends them to the master
with the reports Locust sends anyway; the target's host comes from the master.
"""

from __future__ import annotations

import contextlib
import subprocess

from loadruns.plan import LoadPlan
from loadruns.process import LocustProcess


def run_worker(plan: LoadPlan, master_host: str) -> int:
    """Run until the master quits (or Ctrl-C); Locust's exit code."""
    locust = LocustProcess(plan)
    try:
        files = locust.locustfiles()
        argv = locust.worker_argv(files, master_host)
        env = locust.environment()
        cwd = plan.locustfile.parent if plan.locustfile else locust.folder
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            return 2
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    finally:
        locust.cleanup()
