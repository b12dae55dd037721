"""What a report section gets and gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from perfsight.config import Settings
from perfsight.models import Finding
from perfsight.reports.evaluate import Observation
from perfsight.reports.model import MetricValue, Section
from perfsight.store import Store


@dataclass(frozen=True, slots=True)
class SectionContext:
    settings: Settings
    store: Store
    start: float  # the window, UTC epoch seconds
    end: float
    quantiles: tuple[float, ...]  # latency quantiles the thresholds need (0.95, …)


@dataclass(frozen=True, slots=True)
class SectionOutput:
    section: Section
    metrics: tuple[MetricValue, ...] = ()
    findings: tuple[Finding, ...] = ()
    observations: tuple[Observation, ...] = ()


@dataclass(frozen=True, slots=True)
class SectionSpec:
    name: str
    title: str
    measures: tuple[str, ...]  # threshold metrics this section can observe
    build: Callable[[SectionContext], SectionOutput]

    def unavailable(self, reason: str) -> SectionOutput:
        return SectionOutput(Section(self.name, self.title, False, reason=reason))
