"""The end of a run: what the observers reported, turned into the verdict's parts — metric
sources for the thresholds, the findings of the window (the observers' own and those that need
the load's figures), outcomes with their attribution and baseline, sections and warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from loadruns import baseline as baselines
from loadruns import observers as obs
from loadruns.attribution import attribute
from loadruns.result import EndpointStats
from loadruns.verdict import MetricSource, evaluate
from perfsight.errors import PerfsightError
from perfsight.models import Finding
from perfsight.thresholds import Outcome, Threshold

Reports = Sequence[tuple[obs.RunObserver, obs.ObserverReport]]


@dataclass(slots=True)
class Conclusion:
    outcomes: list[Outcome]
    findings: list[Finding]
    sections: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    baseline: dict[str, Any] | None = None


def conclude(
    thresholds: Sequence[Threshold],
    load: MetricSource,
    reports: Reports,
    endpoints: Sequence[EndpointStats],
    total: EndpointStats,
    baseline: baselines.Baseline | None,
) -> Conclusion:
    sources: list[MetricSource] = [load]
    sections: dict[str, Any] = {}
    caveats: dict[str, str] = {}
    warnings: list[str] = []
    for observer, report in reports:
        if report.metrics is not None:
            sources.append(report.metrics)
        warnings.extend(report.warnings)
        caveats.update(report.caveats)
        if report.section:
            sections[observer.name] = dict(report.section)
    findings = window_findings(reports, endpoints, warnings)
    outcomes = evaluate(thresholds, sources)
    outcomes = attribute(outcomes, findings, sources=sources, endpoints=endpoints, caveats=caveats)
    view = None
    if baseline is not None:
        outcomes = baselines.mark(outcomes, baseline)
        view = {
            **baseline.describe(),
            "differences": baselines.differences(baseline, [*endpoints, total]),
        }
    return Conclusion(outcomes, findings, sections, warnings, view)


def window_findings(
    reports: Reports, endpoints: Sequence[EndpointStats], warnings: list[str]
) -> list[Finding]:
    """The observers' findings, and those that need the load's figures (``explain``); one per
    id. An ``explain`` that fails costs a warning."""
    found: dict[str, Finding] = {}
    for observer, report in reports:
        for finding in report.findings:
            found.setdefault(finding.id, finding)
        if report.explain is None:
            continue
        try:
            for finding in report.explain(endpoints):
                found.setdefault(finding.id, finding)
        except PerfsightError as exc:
            warnings.append(f"{observer.name}: {exc}")
    return list(found.values())
