"""The records of a load run: per-endpoint figures, the per-second series, the whole result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loadruns.histogram import Histogram
from perfsight.models import Finding
from perfsight.store.runs import SeriesRow
from perfsight.thresholds import Outcome, Status, status_counts

PERCENTILES = (50.0, 90.0, 95.0, 99.0)


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """Figures of one endpoint (or of the whole run, ``endpoint == "Total"``). Times in ms,
    exact to 1 ms; ``rps`` is requests / (last end − first start), Locust's total_rps."""

    endpoint: str
    requests: int
    failures: int
    avg_ms: float | None
    min_ms: float | None
    med_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    rps: float | None

    @property
    def failure_rate(self) -> float | None:
        return self.failures / self.requests if self.requests else None

    @classmethod
    def from_histogram(cls, endpoint: str, hist: Histogram) -> EndpointStats:
        pct = hist.percentiles(PERCENTILES)
        return cls(
            endpoint=endpoint,
            requests=hist.count,
            failures=hist.failures,
            avg_ms=hist.avg,
            min_ms=hist.min if hist.count else None,
            med_ms=pct[50.0],
            p90_ms=pct[90.0],
            p95_ms=pct[95.0],
            p99_ms=pct[99.0],
            max_ms=hist.max if hist.count else None,
            rps=hist.rps(),
        )

    def to_row(self) -> dict[str, Any]:
        """Columns of ``load_run_endpoints``."""
        return {
            "endpoint": self.endpoint,
            "requests": self.requests,
            "failures": self.failures,
            "avg_ms": self.avg_ms,
            "min_ms": self.min_ms,
            "med_ms": self.med_ms,
            "p90_ms": self.p90_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "rps": self.rps,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_row(), "failure_rate": self.failure_rate}


@dataclass(frozen=True, slots=True)
class Progress:
    """A running run as its caller sees it every second (progress bars, the dashboard)."""

    run_id: str
    elapsed: float
    planned: float
    users: int | None
    requests: int
    failures: int
    rps: float | None  # over the last few seconds
    p95_ms: float | None  # whole run so far
    generator_pid: int | None = None  # the Locust process (its workers are its children)


@dataclass(frozen=True, slots=True)
class RunResult:
    run_id: str
    status: str  # passed | failed | aborted (store statuses; errors raise instead)
    verdict: Status  # pass | fail | not_measured
    exit_code: int
    target: str
    plan: Mapping[str, Any]
    tags: Mapping[str, str]
    label: str | None
    started_at: float
    ended_at: float
    total: EndpointStats
    endpoints: tuple[EndpointStats, ...]
    series: tuple[SeriesRow, ...]
    outcomes: tuple[Outcome, ...]
    aborted_by: str | None = None
    warnings: tuple[str, ...] = ()
    generator: Mapping[str, Any] = field(default_factory=dict)
    sections: Mapping[str, Any] = field(default_factory=dict)  # from run observers
    findings: tuple[Finding, ...] = ()  # what the backend showed in the run's window
    baseline: Mapping[str, Any] | None = None  # the run compared with, and the differences

    @property
    def duration(self) -> float:
        return self.ended_at - self.started_at

    def counts(self) -> dict[str, int]:
        return status_counts(outcome.status for outcome in self.outcomes)
