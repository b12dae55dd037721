"""The backend of a load run as one run observer: each configured source (Prometheus, Redis,
the profiler, the HTTP probe, the processes) watched in the same window, each optional.

A source that is not configured, or that fails, is reported — in the ``backend`` section's
``sources`` and as a warning for a failure — and the thresholds only it could measure are
``not measured`` with that reason; the others go on. Metric sources are asked in a fixed
order, so the app's own cache counters (Prometheus) answer ``cache_hit_ratio`` before Redis's
server-wide INFO counters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from loadruns.observers import ObserverReport, RunObserver
from loadruns.result import EndpointStats, Progress
from loadruns.verdict import MetricSource, Observation
from perfsight.errors import PerfsightError
from perfsight.models import Finding
from perfsight.thresholds import Threshold

# The metrics each source measures, to say why one is not measured when the source is missing.
MEASURES = {
    "prometheus": ("cache_hit_ratio",),
    "redis": ("cache_hit_ratio",),
    "profiler": ("db_queries_per_request", "n_plus_one", "missing_indexes"),
    "probe": ("unpaginated_endpoints",),
}


class BackendSession:
    name = "backend"

    def __init__(self, watchers: Sequence[RunObserver], absent: Mapping[str, str]) -> None:
        """``watchers`` in the order their metrics are asked; ``absent``: source name -> why
        it is not watched (not configured)."""
        self.watchers = list(watchers)
        self.status: dict[str, str] = {
            name: f"not configured: {why}" for name, why in absent.items()
        }
        self.failed: dict[str, str] = {}
        self.warnings: list[str] = []

    def _call(self, watcher: RunObserver, phase: str, action: Any) -> Any:
        if watcher.name in self.failed:
            return None
        try:
            return action()
        except PerfsightError as exc:
            self.failed[watcher.name] = f"failed {phase}: {exc}"
            self.warnings.append(f"{watcher.name} failed {phase}: {exc}")
            return None

    def start(self, run_id: str, started_at: float) -> None:
        for watcher in self.watchers:
            self._call(watcher, "at the start", lambda w=watcher: w.start(run_id, started_at))

    def tick(self, progress: Progress) -> None:
        for watcher in self.watchers:
            self._call(watcher, "during the run", lambda w=watcher: w.tick(progress))

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        reports: list[tuple[str, ObserverReport]] = []
        for watcher in self.watchers:
            report = self._call(watcher, "end", lambda w=watcher: w.finish(started_at, ended_at))
            if report is not None:
                reports.append((watcher.name, report))
        self.status.update(self.failed)
        for name, _report in reports:
            self.status[name] = "measured"
        missing = _reasons(self.status)
        explains = [r.explain for _n, r in reports if r.explain is not None]

        def explain(endpoints: Sequence[EndpointStats]) -> list[Finding]:
            return [f for each in explains for f in each(endpoints)]

        caveats: dict[str, str] = {}
        for _name, report in reports:
            caveats.update(report.caveats)
        section: dict[str, Any] = {"sources": dict(sorted(self.status.items()))}
        section.update({name: dict(report.section) for name, report in reports})
        return ObserverReport(
            metrics=BackendMetrics([r.metrics for _n, r in reports if r.metrics], missing),
            warnings=(*self.warnings, *(w for _n, r in reports for w in r.warnings)),
            section=section,
            findings=tuple(f for _n, r in reports for f in r.findings),
            explain=explain if explains else None,
            caveats=caveats,
        )


def _reasons(status: Mapping[str, str]) -> dict[str, str]:
    """metric -> what each of its sources said, for a metric none of them answered."""
    reasons: dict[str, list[str]] = {}
    for name, metrics in MEASURES.items():
        if name not in status:
            continue
        said = status[name]
        if said == "measured":
            said = "measured, but had nothing on it in the run's window"
        for metric in metrics:
            reasons.setdefault(metric, []).append(f"{name} {said}")
    return {metric: "; ".join(parts) for metric, parts in reasons.items()}


class BackendMetrics:
    """The sources in order; a metric none of them answers, whose source is missing, is not
    measured with the reason (``missing``: metric -> why)."""

    def __init__(self, sources: Sequence[MetricSource], missing: Mapping[str, str]) -> None:
        self.sources = list(sources)
        self.missing = dict(missing)

    def observe(self, threshold: Threshold) -> Observation | None:
        for source in self.sources:
            observation = source.observe(threshold)
            if observation is not None:
                return observation
        reason = self.missing.get(threshold.metric)
        if reason is None:
            return None
        return Observation(None, "backend", reason)
