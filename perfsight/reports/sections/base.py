"""What a report section gets and gives back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from collectors.build import prometheus_collector
from collectors.prometheus import PrometheusCollector
from collectors.records import PrometheusSample
from perfsight.config import Settings
from perfsight.errors import ConfigError, PerfsightError
from perfsight.models import Finding
from perfsight.reports.evaluate import Observation
from perfsight.reports.model import MetricValue, Section
from perfsight.store import Store


class PrometheusWindow:
    """Prometheus for one report: one collector, and the window's sample queried once for
    every section that reads it (latency, and the app's cache counters). A failure is kept
    and raised to each section that asks, as the first one saw it."""

    def __init__(self, settings: Settings, start: float, end: float, quantiles: Sequence[float]):
        self.start, self.end = start, end
        self._collector = prometheus_collector(settings, quantiles=quantiles)
        self._sample: PrometheusSample | None = None
        self._error: PerfsightError | None = None

    @property
    def configured(self) -> bool:
        return self._collector is not None

    def collector(self) -> PrometheusCollector:
        if self._collector is None:
            raise ConfigError("not configured: set [prometheus] url", source="prometheus")
        return self._collector

    def window(self) -> PrometheusSample:
        if self._error is not None:
            raise self._error
        if self._sample is None:
            try:
                self._sample = self.collector().window(self.start, self.end)
            except PerfsightError as exc:
                self._error = exc
                raise
        return self._sample

    def close(self) -> None:
        if self._collector is not None:
            self._collector.close()


@dataclass(frozen=True, slots=True)
class SectionContext:
    settings: Settings
    store: Store
    start: float  # the window, UTC epoch seconds
    end: float
    quantiles: tuple[float, ...]  # latency quantiles the thresholds need (0.95, …)
    prometheus: PrometheusWindow


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
