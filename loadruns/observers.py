"""Run observers: what watches the backend while a run lasts (Redis, Prometheus, the profiler).

The runner calls each observer at the start of the load, every second while it lasts, and at
its end; at the end an observer hands back a metric source for the thresholds it measures
(``cache_hit_ratio``, ``db_queries_per_request``, …), warnings, and a section for the JSON and
the store. A source that fails degrades only its own section: a ``PerfsightError`` it raises
becomes a warning of the run, never a crashed run.

An observer may also hand back the findings of the window (N+1, unpaginated lists, …: the run
attributes failed thresholds to them by endpoint key), an ``explain`` function for findings that
need the load generator's figures too (``time_outside_db`` compares the database time of an
endpoint's requests with their response time), and ``caveats``: a sentence per metric that
qualifies a failure of it (a saturated load generator limits ``http_reqs``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from loadruns.result import EndpointStats, Progress
from loadruns.verdict import MetricSource
from perfsight.errors import PerfsightError
from perfsight.models import Finding

T = TypeVar("T")

Explain = Callable[[Sequence[EndpointStats]], Sequence[Finding]]
"""Findings that need the load generator's per-endpoint figures (called once, at the end)."""


@dataclass(frozen=True, slots=True)
class ObserverReport:
    metrics: MetricSource | None = None
    warnings: tuple[str, ...] = ()
    section: Mapping[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    explain: Explain | None = None
    caveats: Mapping[str, str] = field(default_factory=dict)  # metric -> why a failure may mislead


class RunObserver(Protocol):
    name: str

    def start(self, run_id: str, started_at: float) -> None:
        """The load begins (epoch seconds): take a first sample (counters, offsets)."""

    def tick(self, progress: Progress) -> None:
        """About once a second while the load runs."""

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        """The load is over: measure the window and report."""


def call_safely(
    observers: Sequence[RunObserver],
    action: Callable[[RunObserver], T],
    warnings: list[str],
) -> list[tuple[RunObserver, T]]:
    """Run ``action`` on every observer; a typed failure becomes a warning naming the observer."""
    done = []
    for observer in observers:
        try:
            done.append((observer, action(observer)))
        except PerfsightError as exc:
            warnings.append(f"{observer.name}: {exc}")
    return done
