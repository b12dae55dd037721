"""perfsight's listener: a locustfile that runs INSIDE the Locust subprocess, beside the user's
own locustfile or the one generated from ``[load] scenario`` (``-f theirs.py,listener.py``).

Never import this module into the perfsight process: importing locust monkey-patches the whole
process with gevent. perfsight copies this file into the run's folder and hands it to Locust.

It records every request's exact response time (``events.request``) into 1 ms histograms per
second of completion and endpoint, and every second appends what completed to the run's JSON
lines file (see ``loadruns.wire``). Locust workers attach their histograms to the reports they
send their master anyway (``report_to_master``); the master merges them (``worker_report``).
It also runs the k6-style stages as a ``LoadTestShape``, stops the test at once if a request
goes to a host outside ``allowed_hosts``, and stops it when the perfsight process that started
it disappears (a killed runner must not leave load running).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import gevent
from locust import LoadTestShape, __version__, events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from loadruns import stages as stage_math
from loadruns import wire
from loadruns.histogram import Histogram
from perfsight.models import HTTP_METHODS
from perfsight.safety import is_allowed

CONFIG: dict[str, Any] = json.loads(os.environ.get(wire.ENV_VAR) or "{}")
STAGES: list[tuple[float, int]] = [(float(d), int(t)) for d, t in CONFIG.get("stages") or []]
WIRE_KEY = "perfsight"


class Recorder:
    """Per-process state: pending histograms and where they go."""

    def __init__(self, environment: Environment, config: dict[str, Any]) -> None:
        self.environment = environment
        self.pending: wire.SecondData = {}
        self.allowed_hosts: list[str] = list(config.get("allowed_hosts") or [])
        self.host_verdicts: dict[str, bool] = {}
        self.out_path: str | None = config.get("out")
        self.fd: int | None = None
        self.parent_pid = os.getppid()
        self.tick_interval = float(config.get("tick_interval") or 1.0)
        self.stopping = False
        # (request_type, name) -> endpoint key: a handful of pairs, asked on every request
        self.names: dict[tuple[str, str], str] = {}

    @property
    def is_worker(self) -> bool:
        return isinstance(self.environment.runner, WorkerRunner)

    # -- per request: the hot path --------------------------------------------------------------

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        exception: BaseException | None = None,
        start_time: float | None = None,
        url: str | None = None,
        **_kwargs: Any,
    ) -> None:
        end = time.time()
        if url is not None and not self._host_ok(url):
            return
        key = self.names.get((request_type, name))
        if key is None:
            key = self.names[(request_type, name)] = endpoint_name(request_type, name)
        second = int(end)
        per_endpoint = self.pending.get(second)
        if per_endpoint is None:
            per_endpoint = self.pending[second] = {}
        hist = per_endpoint.get(key)
        if hist is None:
            hist = per_endpoint[key] = Histogram()
        ms = float(response_time or 0.0)
        hist.add(ms, failed=exception is not None, start=start_time or end - ms / 1000, end=end)

    def _host_ok(self, url: str) -> bool:
        cut = url.find("/", url.find("//") + 2) if "//" in url else -1
        origin = url if cut < 0 else url[:cut]
        verdict = self.host_verdicts.get(origin)
        if verdict is None:
            verdict = self.host_verdicts[origin] = not origin.startswith("http") or is_allowed(
                origin, self.allowed_hosts
            )
            if not verdict:
                self._refuse(origin)
        return verdict

    def _refuse(self, origin: str) -> None:
        message = (
            f"the locustfile sent a request to {origin}, which is not loopback and not listed "
            "in [target] allowed_hosts; the test was stopped at once"
        )
        self.write(wire.encode({"type": "error", "kind": "host_not_allowed", "message": message}))
        self.stop()

    # -- flushing ------------------------------------------------------------------------------

    def write(self, line: bytes) -> None:
        if self.is_worker or self.out_path is None:
            return
        if self.fd is None:
            self.fd = wire.open_for_append(self.out_path)
        os.write(self.fd, line)

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        runner = self.environment.runner
        users = runner.user_count if runner is not None else None
        self.write(wire.encode_tick(time.time(), users, pending))

    def loop(self) -> None:
        """Every tick: report what completed; stop if the perfsight process went away."""
        while True:
            gevent.sleep(self.tick_interval - (time.time() % self.tick_interval) + 0.02)
            if os.getppid() != self.parent_pid and not self.stopping:
                self.stop()  # the perfsight runner died (kill -9): do not load on alone
            if not self.is_worker:
                self.flush()

    def stop(self) -> None:
        self.stopping = True
        runner = self.environment.runner
        if runner is not None:
            gevent.spawn(runner.quit)

    # -- distributed runs ----------------------------------------------------------------------

    def on_report_to_master(self, client_id: str, data: dict[str, Any]) -> None:
        pending, self.pending = self.pending, {}
        data[WIRE_KEY] = wire.encode_tick(time.time(), None, pending).decode()

    def on_worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        text = data.get(WIRE_KEY)
        if text:
            record = json.loads(text)
            wire.merge_seconds(self.pending, wire.decode_seconds(record["data"]))


def endpoint_name(request_type: str, name: str) -> str:
    """The endpoint key of a request: generated locustfiles name requests ``METHOD /route``
    already; a user's locustfile usually names them by path, so the method is put in front."""
    method = request_type.upper()
    if method in HTTP_METHODS and not name.startswith(method + " "):
        return f"{method} {name}"
    return name


_recorder: Recorder | None = None


@events.init.add_listener
def _on_init(environment: Environment, **_kwargs: Any) -> None:
    global _recorder
    recorder = _recorder = Recorder(environment, CONFIG)
    environment.events.request.add_listener(recorder.on_request)
    if isinstance(environment.runner, WorkerRunner):
        environment.events.report_to_master.add_listener(recorder.on_report_to_master)
    else:
        if isinstance(environment.runner, MasterRunner):
            environment.events.worker_report.add_listener(recorder.on_worker_report)
        gevent.spawn(recorder.loop)


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_kwargs: Any) -> None:
    if _recorder is not None:
        runner = type(environment.runner).__name__
        _recorder.write(
            wire.encode(
                {
                    "type": "start",
                    "t": time.time(),
                    "pid": os.getpid(),
                    "locust": __version__,
                    "runner": runner,
                }
            )
        )


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_kwargs: Any) -> None:
    if _recorder is not None and not _recorder.is_worker:
        _recorder.flush()
        _recorder.write(wire.encode({"type": "done", "t": time.time()}))


if STAGES:

    class PerfsightStages(LoadTestShape):
        """The ``[load] stages``: linear ramps between targets, then stop."""

        def tick(self) -> tuple[int, float] | None:
            return stage_math.tick(STAGES, self.get_run_time())
