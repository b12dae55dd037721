"""The report record: sections (each available or unavailable with the reason), metrics with
the direction that counts as better, threshold outcomes and findings. Its JSON form is
``perfsight/schemas/report.schema.json``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from perfsight.models import Finding, iso, parse_iso

Better = Literal["lower", "higher"]


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One figure of the window. ``name`` is stable across reports (the diff keys on it)."""

    name: str
    value: float | None
    unit: str
    source: str
    better: Better | None = None  # None: information only (e.g. passive throughput)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "better": self.better,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MetricValue:
        return cls(data["name"], data["value"], data["unit"], data["source"], data.get("better"))


@dataclass(frozen=True, slots=True)
class Section:
    """One source's part of the report. An unavailable source says why; the rest go on."""

    name: str
    title: str
    available: bool
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "available": self.available,
            "reason": self.reason,
            "data": dict(self.data),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Section:
        return cls(
            data["name"], data["title"], data["available"], data.get("reason"), data.get("data", {})
        )


@dataclass(frozen=True, slots=True)
class Report:
    window_start: datetime
    window_end: datetime
    created_at: datetime
    tags: Mapping[str, str]
    status: str  # pass | fail | not_measured
    outcomes: Sequence[Mapping[str, Any]]  # Outcome.to_dict()
    findings: Sequence[Finding]
    metrics: Sequence[MetricValue]
    sections: Sequence[Section]
    id: str | None = None

    def metric(self, name: str) -> MetricValue | None:
        return next((m for m in self.metrics if m.name == name), None)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "window_start": iso(self.window_start),
            "window_end": iso(self.window_end),
            "created_at": iso(self.created_at),
            "tags": dict(self.tags),
            "status": self.status,
            "outcomes": [dict(o) for o in self.outcomes],
            "findings": [f.to_dict() for f in self.findings],
            "metrics": [m.to_dict() for m in self.metrics],
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        def when(key: str) -> datetime:
            value = parse_iso(data[key])
            assert value is not None
            return value

        return cls(
            id=data.get("id"),
            window_start=when("window_start"),
            window_end=when("window_end"),
            created_at=when("created_at"),
            tags=dict(data.get("tags", {})),
            status=data["status"],
            outcomes=list(data.get("outcomes", [])),
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            metrics=[MetricValue.from_dict(m) for m in data.get("metrics", [])],
            sections=[Section.from_dict(s) for s in data.get("sections", [])],
        )
