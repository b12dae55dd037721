"""The diff of a report against the previous one with the same tags: new and resolved findings
(keyed by finding id), and each metric's regression or improvement, with the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from perfsight.models import Finding
from perfsight.reports.model import MetricValue, Report

# A metric that moved less than this (relative) is unchanged: noise, not news.
DEFAULT_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class MetricChange:
    name: str
    unit: str
    before: float
    after: float
    change: float  # after - before
    relative: float | None  # change / before (None when before is 0)
    verdict: str  # regression | improvement

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "relative": self.relative,
            "verdict": self.verdict,
        }


@dataclass(frozen=True, slots=True)
class ReportDiff:
    previous_id: str | None
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]
    regressions: tuple[MetricChange, ...]
    improvements: tuple[MetricChange, ...]
    status_before: str
    status_after: str

    @property
    def empty(self) -> bool:
        return not (
            self.new_findings or self.resolved_findings or self.regressions or self.improvements
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous_report": self.previous_id,
            "status_before": self.status_before,
            "status_after": self.status_after,
            "new_findings": [f.to_dict() for f in self.new_findings],
            "resolved_findings": [f.to_dict() for f in self.resolved_findings],
            "regressions": [c.to_dict() for c in self.regressions],
            "improvements": [c.to_dict() for c in self.improvements],
        }


def diff_reports(
    previous: Report, current: Report, *, tolerance: float = DEFAULT_TOLERANCE
) -> ReportDiff:
    before = {f.id: f for f in previous.findings}
    after = {f.id: f for f in current.findings}
    changes = [
        change
        for metric in current.metrics
        if (change := _change(previous.metric(metric.name), metric, tolerance)) is not None
    ]
    return ReportDiff(
        previous_id=previous.id,
        new_findings=tuple(f for ident, f in after.items() if ident not in before),
        resolved_findings=tuple(f for ident, f in before.items() if ident not in after),
        regressions=tuple(c for c in changes if c.verdict == "regression"),
        improvements=tuple(c for c in changes if c.verdict == "improvement"),
        status_before=previous.status,
        status_after=current.status,
    )


def _change(old: MetricValue | None, new: MetricValue, tolerance: float) -> MetricChange | None:
    if old is None or new.better is None or old.value is None or new.value is None:
        return None
    delta = new.value - old.value
    relative = delta / abs(old.value) if old.value else None
    if relative is not None and abs(relative) < tolerance:
        return None
    if relative is None and delta == 0:
        return None
    worse = delta > 0 if new.better == "lower" else delta < 0
    return MetricChange(
        name=new.name,
        unit=new.unit,
        before=old.value,
        after=new.value,
        change=delta,
        relative=relative,
        verdict="regression" if worse else "improvement",
    )


def diff_summary(diff: ReportDiff) -> Mapping[str, int]:
    return {
        "new_findings": len(diff.new_findings),
        "resolved_findings": len(diff.resolved_findings),
        "regressions": len(diff.regressions),
        "improvements": len(diff.improvements),
    }
