"""One load run from start to verdict: ``run(settings, options, store) -> RunResult``.

The order matters. Input is checked first (``make_plan``: thresholds, allowed_hosts, the
locustfile) — nothing is recorded or sent for bad input. Then runs left ``running`` by a dead
process are marked ``aborted``; the run is recorded; the target is probed with a TCP connect;
Locust starts in its own process; its listener's ticks are added up, written to the store every
second or two and checked against ``abortOnFail`` thresholds; at the end the thresholds are
evaluated and the run finished in the store. A Ctrl-C, a SIGTERM turned into
``KeyboardInterrupt`` by the CLI, or the caller's ``stop`` event stops Locust gracefully and
leaves an ``aborted`` run with its results so far.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

from loadruns import baseline as baselines
from loadruns import observers as obs
from loadruns.aggregate import RunAggregate
from loadruns.conclusion import conclude
from loadruns.jsonout import partial_summary, result_summary
from loadruns.plan import LoadOptions, LoadPlan, make_plan
from loadruns.process import LocustProcess
from loadruns.recorder import RunRecorder
from loadruns.result import Progress, RunResult
from loadruns.verdict import LoadMetrics, abort_check, decide
from loadruns.wire import LineReader
from perfsight.config import Settings
from perfsight.config.redact import redact_url
from perfsight.errors import HostNotAllowed, PerfsightError, SourceUnavailable
from perfsight.models import Finding
from perfsight.store import Store, runs
from perfsight.store.findings import upsert_findings

POLL_INTERVAL = 0.2
STATS_INTERVAL = 2.0  # per-endpoint figures and the partial summary; the series every second
START_TIMEOUT = 60.0  # Locust importing, forking workers, connecting them
STOP_GRACE = 30.0  # beyond the planned duration before Locust is stopped by force

ProgressCallback = Callable[[Progress], None]


class RunHooks(TypedDict, total=False):
    """How a caller takes part in a run (all optional)."""

    observers: Sequence[obs.RunObserver]  # backend samplers watching the same window
    on_progress: ProgressCallback  # about once a second
    stop: threading.Event  # set it to stop the run (it ends ``aborted``)
    on_abandoned: Callable[[list[str]], None]  # runs of dead processes just marked aborted


def run(
    settings: Settings, options: LoadOptions, store: Store, **hooks: Unpack[RunHooks]
) -> RunResult:
    """Run a load check and return its result. Raises ``PerfsightError`` when it cannot run
    (bad input, host not allowed, target unreachable, Locust failing): exit code 2."""
    return execute(make_plan(settings, options), store, **hooks)


def execute(plan: LoadPlan, store: Store, **hooks: Unpack[RunHooks]) -> RunResult:
    """``run`` for a plan already made (and so already checked)."""
    baseline, baseline_note = _resolve_baseline(plan, store)
    if baseline is not None:
        plan = replace(plan, thresholds=(*plan.thresholds, *baseline.rules()))
    abandoned = runs.mark_abandoned_runs(store)
    on_abandoned = hooks.get("on_abandoned")
    if abandoned and on_abandoned is not None:
        on_abandoned(abandoned)
    recorder = RunRecorder.create(store, plan)
    try:
        check_reachable(plan.host, timeout=min(plan.connect_timeout, 10.0))
    except PerfsightError as exc:
        recorder.error(str(exc))
        raise
    session = _Session(
        plan,
        recorder,
        list(hooks.get("observers", ())),
        hooks.get("on_progress"),
        hooks.get("stop") or threading.Event(),
    )
    session.baseline = baseline
    if baseline_note:
        session.warnings.append(baseline_note)
    return session.go()


def _resolve_baseline(plan: LoadPlan, store: Store) -> tuple[baselines.Baseline | None, str | None]:
    if plan.baseline is None:
        return None, None
    return baselines.resolve(
        store,
        plan.baseline,
        plan.tags,
        p95_tolerance=plan.baseline_p95_tolerance,
        rps_tolerance=plan.baseline_rps_tolerance,
    )


def check_reachable(url: str, *, timeout: float) -> None:
    """A TCP connect to the target: an unreachable target is a run that cannot happen (exit 2),
    not a run full of connection errors."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise SourceUnavailable(
            f"cannot reach {redact_url(url)} ({reason}); is the API running? "
            "(-H/--host or [target] base_url)",
            source="target",
        ) from exc


class _Session:
    def __init__(
        self,
        plan: LoadPlan,
        recorder: RunRecorder,
        observers: list[obs.RunObserver],
        on_progress: ProgressCallback | None,
        stop: threading.Event,
    ) -> None:
        self.plan = plan
        self.recorder = recorder
        self.observers = observers
        self.on_progress = on_progress
        self.stop = stop
        self.aggregate = RunAggregate()
        self.metrics = LoadMetrics(self.aggregate)
        self.warnings: list[str] = []
        self.generator: dict[str, Any] = {"tool": "locust"}
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.aborted_by: str | None = None
        self.interrupted = False
        self.done_seen = False
        self.error: dict[str, Any] | None = None
        self.baseline: baselines.Baseline | None = None

    @property
    def run_id(self) -> str:
        return self.recorder.run_id

    def go(self) -> RunResult:
        locust = LocustProcess(self.plan)
        reader = LineReader(locust.out_path)
        try:
            locust.start()
            self.generator["pid"] = locust.pid
            try:
                self._wait_for_start(locust, reader)
                obs.call_safely(
                    self.observers, lambda o: o.start(self.run_id, self._t0()), self.warnings
                )
                self._follow(locust, reader)
            except KeyboardInterrupt:
                self.interrupted = True
                self.aborted_by = "interrupted"
                locust.terminate()
            self._drain(locust, reader)
            return self._finish()
        except PerfsightError as exc:
            locust.terminate(timeout=5)
            self.recorder.error(str(exc), self._partial())
            raise
        finally:
            locust.cleanup()

    def _t0(self) -> float:
        return self.started_at if self.started_at is not None else time.time()

    # -- while Locust runs ---------------------------------------------------------------------

    def _wait_for_start(self, locust: LocustProcess, reader: LineReader) -> None:
        limit = START_TIMEOUT + (self.plan.remote_wait if self.plan.remote_workers else 0.0)
        deadline = time.monotonic() + limit
        while self.started_at is None:
            self._apply(reader.read())
            if self.started_at is not None:
                return
            code = locust.poll()
            if code is not None:
                self._apply(reader.read())
                if self.started_at is None:
                    raise SourceUnavailable(
                        f"Locust exited (code {code}) before the test started; its log ends:\n"
                        f"{locust.log_tail()}",
                        source="locust",
                    )
            if time.monotonic() > deadline:
                raise SourceUnavailable(
                    f"Locust did not start within {limit:.0f}s; its log ends:\n{locust.log_tail()}",
                    source="locust",
                )
            self._sleep()

    def _follow(self, locust: LocustProcess, reader: LineReader) -> None:
        deadline = time.monotonic() + self.plan.planned_duration + STOP_GRACE
        next_series = next_stats = 0.0
        while locust.poll() is None:
            self._apply(reader.read())
            now = time.monotonic()
            if now >= next_series:
                next_series = now + 1.0
                stats_due = now >= next_stats
                if stats_due:
                    next_stats = now + STATS_INTERVAL
                self._progress(write_stats=stats_due)
                if self.aborted_by is None and self._abort_due():
                    locust.terminate()
                    return
            if now > deadline:
                self.warnings.append(
                    f"Locust was still running {STOP_GRACE:.0f}s after the planned end; stopped"
                )
                locust.terminate()
                return
            self._sleep()

    def _sleep(self) -> None:
        if self.stop.wait(POLL_INTERVAL):
            raise KeyboardInterrupt

    def _apply(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            kind = record.get("type")
            if kind == "tick":
                self.aggregate.apply(record)
            elif kind == "start":
                self.started_at = float(record["t"])
                self.generator.update(version=record.get("locust"), runner=record.get("runner"))
            elif kind == "done":
                self.done_seen = True
                self.ended_at = float(record["t"])
            elif kind == "error":
                self.error = record
        if self.error is not None and self.error.get("kind") == "host_not_allowed":
            raise HostNotAllowed(str(self.error.get("message")), source="target.allowed_hosts")

    def _abort_due(self) -> bool:
        elapsed = time.time() - self._t0()
        failed = abort_check(self.plan.thresholds, [self.metrics], elapsed)
        if failed is None:
            return False
        self.aborted_by = failed.threshold.name
        return True

    def _progress(self, *, write_stats: bool) -> None:
        rows = self.aggregate.settle()
        progress = self._progress_record()
        obs.call_safely(self.observers, lambda o: o.tick(progress), self.warnings)
        if write_stats:
            self.recorder.progress(rows, self.aggregate.stats_rows(), self._partial())
        else:
            self.recorder.progress(rows)
        if self.on_progress is not None:
            self.on_progress(progress)

    def _progress_record(self) -> Progress:
        total = self.aggregate.total()
        return Progress(
            run_id=self.run_id,
            elapsed=time.time() - self._t0(),
            planned=self.plan.planned_duration,
            users=self.aggregate.users,
            requests=total.count,
            failures=total.failures,
            rps=self.aggregate.recent_rps(),
            p95_ms=total.percentile(95) if total.count else None,
            generator_pid=self.generator.get("pid"),
        )

    def _partial(self) -> dict[str, Any]:
        return partial_summary(self.aggregate, self._t0(), self.generator, self.aborted_by)

    # -- after Locust ----------------------------------------------------------------------------

    def _drain(self, locust: LocustProcess, reader: LineReader) -> None:
        """Wait for Locust to exit and read its last report."""
        if locust.process is not None:
            with contextlib.suppress(Exception):
                locust.process.wait(timeout=STOP_GRACE)
        locust.terminate()
        self._apply(reader.read())
        code = locust.poll()
        self.generator["exit_code"] = code
        if not self.done_seen:
            self.warnings.append(
                f"Locust ended (exit code {code}) without its final report: the last second "
                "may be missing"
            )
        elif code not in (0, None):
            self.warnings.append(
                f"Locust exited with code {code}; its log ends:\n{locust.log_tail(8)}"
            )
        if reader.bad_lines:
            self.warnings.append(f"{reader.bad_lines} unreadable lines from the listener")
        if self.aggregate.late_requests:
            self.warnings.append(
                f"{self.aggregate.late_requests} requests reported late: in the totals, not in "
                "the per-second series"
            )
        if self.aggregate.total().count == 0 and not self.interrupted:
            raise SourceUnavailable(
                f"no request completed during the run; Locust's log ends:\n{locust.log_tail()}",
                source="locust",
            )

    def _finish(self) -> RunResult:
        ended_at = self.ended_at or time.time()
        started_at = self._t0()
        reports = obs.call_safely(
            self.observers, lambda o: o.finish(started_at, ended_at), self.warnings
        )
        endpoints = self.aggregate.endpoint_stats()
        end = conclude(
            self.plan.thresholds,
            self.metrics,
            reports,
            endpoints,
            self.aggregate.total_stats(),
            self.baseline,
        )
        self.warnings.extend(end.warnings)
        self._store_findings(end.findings)
        decision = decide(end.outcomes, strict=self.plan.strict, interrupted=self.interrupted)
        status, exit_code = decision.status, decision.exit_code
        if self.aborted_by is not None and not self.interrupted:
            status, exit_code = "failed", 1  # k6: a run an abortOnFail threshold stopped fails
        rows = self.aggregate.settle(final=True)
        warnings = list(dict.fromkeys([*self.warnings, *self.recorder.warnings]))
        result = RunResult(
            run_id=self.run_id,
            status=status,
            verdict=decision.verdict,
            exit_code=exit_code,
            target=redact_url(self.plan.host),
            plan=self.plan.describe(),
            tags=dict(self.plan.tags),
            label=self.plan.label,
            started_at=started_at,
            ended_at=ended_at,
            total=self.aggregate.total_stats(),
            endpoints=tuple(endpoints),
            series=tuple(self.aggregate.series()),
            outcomes=tuple(end.outcomes),
            aborted_by=self.aborted_by,
            warnings=tuple(warnings),
            generator=dict(self.generator),
            sections=end.sections,
            findings=tuple(end.findings),
            baseline=end.baseline,
        )
        self.recorder.finish(
            status,
            series=rows,
            stats=self.aggregate.stats_rows(),
            outcomes=end.outcomes,
            summary=result_summary(result),
        )
        return result

    def _store_findings(self, findings: list[Finding]) -> None:
        """Findings join the store's (origin ``run:<id>``), as every analysis's do."""
        if not findings:
            return
        try:
            upsert_findings(self.recorder.store, findings, origin=f"run:{self.run_id}")
        except SQLAlchemyError as exc:
            self.warnings.append(f"the store could not keep the run's findings: {exc}")
